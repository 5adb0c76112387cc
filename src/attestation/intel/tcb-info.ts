import { z } from 'zod';
import { CasError } from '../../errors/cas-error.js';
import {
  header,
  hexOf,
  intelTcbStatus,
  isoTime,
  isvSvnLevel,
  parseWith,
  svn,
} from './signed-json.js';
import type { TdReport } from './quote.js';
import { noMatch, refuseRevoked, type MatchedLevel } from './tcb-status.js';

const components = z.array(z.object({ svn })).length(16);
const moduleFields = { mrsigner: hexOf(96), attributes: hexOf(16), attributesMask: hexOf(16) };

const tcbInfoSchema = z.object({
  id: z.enum(['SGX', 'TDX']),
  version: z.literal(3),
  issueDate: isoTime,
  nextUpdate: isoTime,
  fmspc: hexOf(12),
  pceId: hexOf(4),
  tcbType: z.literal(0),
  tcbEvaluationDataNumber: z.number().int().min(0),
  tdxModule: z.object(moduleFields).optional(),
  tdxModuleIdentities: z
    .array(z.object({ id: z.string(), ...moduleFields, tcbLevels: z.array(isvSvnLevel).min(1) }))
    .optional(),
  tcbLevels: z
    .array(
      z.object({
        tcb: z.object({
          sgxtcbcomponents: components,
          pcesvn: svn,
          tdxtcbcomponents: components.optional(),
        }),
        tcbDate: isoTime,
        tcbStatus: intelTcbStatus,
        advisoryIDs: z.array(z.string()).optional(),
      }),
    )
    .min(1),
});

/** Intel TCB info v3 (SGX or TDX), after its signature was verified. */
export type TcbInfo = z.infer<typeof tcbInfoSchema>;

/** Parses TCB info JSON, refusing another TEE's TCB info or an unsupported version. */
export function parseTcbInfo(json: unknown, tee: 'sgx' | 'tdx'): TcbInfo {
  const head = parseWith(header, json, 'TCB info');
  const wanted = tee === 'sgx' ? 'SGX' : 'TDX';
  if (tee === 'sgx' && head.id === undefined && head.version === 2) return fromV2(json);
  if (head.id !== wanted || head.version !== 3) {
    throw new CasError(
      'CAS_ATTESTATION_COLLATERAL_MISMATCH',
      `The TCB info is ${head.id ?? 'SGX'} version ${head.version ?? '?'}; a ${tee.toUpperCase()} quote needs ${wanted} TCB info version 3 (or SGX version 2).`,
      {
        details: { id: head.id, version: head.version },
      },
    );
  }
  return parseWith(tcbInfoSchema, json, 'TCB info');
}

const v2ComponentKeys = Array.from(
  { length: 16 },
  (_, i) => `sgxtcbcomp${String(i + 1).padStart(2, '0')}svn`,
);

const tcbInfoV2Schema = z.object({
  version: z.literal(2),
  issueDate: isoTime,
  nextUpdate: isoTime,
  fmspc: hexOf(12),
  pceId: hexOf(4),
  tcbType: z.literal(0),
  tcbEvaluationDataNumber: z.number().int().min(0),
  tcbLevels: z
    .array(
      z.object({
        tcb: z.object({
          ...Object.fromEntries(v2ComponentKeys.map((k) => [k, svn])),
          pcesvn: svn,
        }),
        tcbDate: isoTime,
        tcbStatus: intelTcbStatus,
      }),
    )
    .min(1),
});

/**
 * SGX TCB info version 2 (Intel PCS API v3, still served by some PCCS): the same levels with
 * the components as `sgxtcbcomp01svn`...`sgxtcbcomp16svn` and no advisory ids. Normalised to
 * the version 3 shape so that one matcher serves both.
 */
function fromV2(json: unknown): TcbInfo {
  const v2 = parseWith(tcbInfoV2Schema, json, 'TCB info');
  return {
    id: 'SGX',
    version: 3,
    issueDate: v2.issueDate,
    nextUpdate: v2.nextUpdate,
    fmspc: v2.fmspc,
    pceId: v2.pceId,
    tcbType: 0,
    tcbEvaluationDataNumber: v2.tcbEvaluationDataNumber,
    tcbLevels: v2.tcbLevels.map((level) => {
      const tcb = level.tcb as Record<string, number>;
      return {
        tcb: {
          sgxtcbcomponents: v2ComponentKeys.map((k) => ({ svn: tcb[k] ?? 0 })),
          pcesvn: level.tcb.pcesvn,
        },
        tcbDate: level.tcbDate,
        tcbStatus: level.tcbStatus,
      };
    }),
  };
}

/** The platform facts a TCB level is matched against. */
export interface PlatformTcb {
  readonly sgxTcbComponents: readonly number[];
  readonly pceSvn: number;
  /** TDX only: TEE_TCB_SVN of the TD report. */
  readonly teeTcbSvn?: Uint8Array;
}

/**
 * The first TCB level (Intel lists them best first) whose every component is at most the
 * platform's. For TDX, when the TDX module reports a major version (TEE_TCB_SVN[1] > 0) its
 * first two bytes are judged by the module identity instead, so they are skipped here.
 */
export function matchPlatformLevel(info: TcbInfo, platform: PlatformTcb): MatchedLevel {
  const tdx = platform.teeTcbSvn;
  const skip =
    tdx !== undefined && info.tdxModuleIdentities !== undefined && (tdx[1] ?? 0) > 0 ? 2 : 0;
  for (const level of info.tcbLevels) {
    const sgxOk = level.tcb.sgxtcbcomponents.every(
      (c, i) => c.svn <= (platform.sgxTcbComponents[i] ?? -1),
    );
    if (!sgxOk || level.tcb.pcesvn > platform.pceSvn) continue;
    if (tdx !== undefined) {
      const comps = level.tcb.tdxtcbcomponents;
      if (comps === undefined) continue;
      if (!comps.every((c, i) => i < skip || c.svn <= (tdx[i] ?? -1))) continue;
    }
    return refuseRevoked(
      { status: level.tcbStatus, advisoryIds: level.advisoryIDs ?? [], tcbDate: level.tcbDate },
      'platform',
    );
  }
  return noMatch('platform', {
    fmspc: info.fmspc.toLowerCase(),
    pcesvn: platform.pceSvn,
    sgx_tcb_components: platform.sgxTcbComponents,
  });
}

/**
 * The TDX module check (as Intel's QVL does it): TEE_TCB_SVN[1] is the module's major version
 * and [0] its SVN. Version 0 (TDX 1.0 modules) is judged by MRSIGNERSEAM and SEAM attributes
 * against `tdxModule` alone; otherwise the identity `TDX_<version>` must exist, match them,
 * and have a level at most the module SVN.
 */
export function matchTdxModule(
  info: TcbInfo,
  teeTcbSvn: Uint8Array,
  mrSignerSeam: Uint8Array,
  seamAttributes: Uint8Array,
): { id: string; level: MatchedLevel | null } {
  const version = teeTcbSvn[1] ?? 0;
  const moduleSvn = teeTcbSvn[0] ?? 0;
  const checkIdentity = (
    who: { mrsigner: string; attributes: string; attributesMask: string },
    id: string,
  ): void => {
    if (
      Buffer.from(mrSignerSeam).toString('hex') !== who.mrsigner.toLowerCase() ||
      !maskedEqual(seamAttributes, who.attributes, who.attributesMask)
    ) {
      throw new CasError(
        'CAS_ATTESTATION_TDX_MODULE_MISMATCH',
        `The TDX module is not the one the TCB info describes for ${id}.`,
        {
          details: { module_id: id, mrsignerseam: Buffer.from(mrSignerSeam).toString('hex') },
        },
      );
    }
  };
  const id = `TDX_${version.toString(16).padStart(2, '0').toUpperCase()}`;
  if (version === 0) {
    // a TDX 1.0 module has no identity of its own: the top-level tdxModule describes it
    if (info.tdxModule === undefined) {
      throw new CasError(
        'CAS_ATTESTATION_COLLATERAL_MALFORMED',
        'The TDX TCB info has no tdxModule.',
      );
    }
    checkIdentity(info.tdxModule, 'tdxModule');
    return { id, level: null };
  }
  const identity = info.tdxModuleIdentities?.find((m) => m.id.toUpperCase() === id);
  if (identity === undefined) return noMatch('TDX module', { module_id: id });
  checkIdentity(identity, id);
  const level = identity.tcbLevels.find((l) => l.tcb.isvsvn <= moduleSvn);
  if (level === undefined) return noMatch('TDX module', { module_id: id, isvsvn: moduleSvn });
  return {
    id,
    level: refuseRevoked(
      { status: level.tcbStatus, advisoryIds: level.advisoryIDs ?? [], tcbDate: level.tcbDate },
      'TDX module',
    ),
  };
}

/** `(value & mask) == (expected & mask)` over hex strings of the same length. */
export function maskedEqual(value: Uint8Array, expectedHex: string, maskHex: string): boolean {
  const expected = Buffer.from(expectedHex, 'hex');
  const mask = Buffer.from(maskHex, 'hex');
  if (expected.length !== value.length || mask.length !== value.length) return false;
  return value.every(
    (b, i) => (b & (mask[i] as number)) === ((expected[i] as number) & (mask[i] as number)),
  );
}

/** The TCB levels of a TD under one TEE_TCB_SVN: platform and TDX module. */
export interface TdLevels {
  readonly platform: MatchedLevel;
  readonly module: { readonly id: string; readonly level: MatchedLevel | null };
}

/**
 * The levels of a TD: those of TEE_TCB_SVN (the TCB the TD launched under) and, when a TD 1.5
 * report carries a non-zero TEE_TCB_SVN2 (the TCB running now, after a module update that
 * preserved the TD), those too. Both must match a level. Intel's QVL reports "relaunch
 * advised" when only the launch TCB is out of date; here the worse of the two counts, which is
 * never more lenient.
 */
export function matchTdLevels(
  info: TcbInfo,
  pck: { readonly sgxTcbComponents: readonly number[]; readonly pceSvn: number },
  td: TdReport,
): { launch: TdLevels; current?: TdLevels } {
  const levels = (teeTcbSvn: Uint8Array): TdLevels => ({
    platform: matchPlatformLevel(info, { ...pck, teeTcbSvn }),
    module: matchTdxModule(info, teeTcbSvn, td.mrSignerSeam, td.seamAttributes),
  });
  const launch = levels(td.teeTcbSvn);
  const svn2 = td.teeTcbSvn2;
  return svn2 !== undefined && svn2.some((b) => b !== 0)
    ? { launch, current: levels(svn2) }
    : { launch };
}
