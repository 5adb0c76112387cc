import { readFile } from 'node:fs/promises';
import { verifierFor } from '../../attestation/registry.js';
import type { EvidenceType } from '../../attestation/verifier.js';
import { collateralLoaders } from '../../collateral/collateral-loaders.js';
import { CasError } from '../../errors/cas-error.js';
import { defineCommand } from '../command.js';

const TYPES: readonly EvidenceType[] = ['sgx-dcap', 'tdx', 'snp', 'nitro', 'tpm'];

interface Options {
  readonly type: string;
  readonly collateral?: string;
  readonly at?: string;
  readonly expectReportData?: string;
  readonly allowDebug?: boolean;
  readonly json?: boolean;
}

/**
 * Evidence files come as raw binary (an Intel quote, an SNP report) or as text: base64 (Nitro
 * `.b64`) or hex. Text that is neither (a JSON document) is passed on as its bytes.
 */
export function decodeEvidence(bytes: Uint8Array): Uint8Array {
  const text = Buffer.from(bytes).toString('latin1');
  if (!/^[\x20-\x7e\t\r\n]*$/.test(text)) return bytes;
  const compact = text.replace(/\s+/g, '');
  if (compact.length > 0 && compact.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(compact)) {
    return new Uint8Array(Buffer.from(compact, 'hex'));
  }
  if (compact.length > 0 && compact.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    return new Uint8Array(Buffer.from(compact, 'base64'));
  }
  return bytes;
}

/** `--at`: ISO 8601 (with a time zone) or unix seconds. */
export function parseAt(value: string): Date {
  const ms = /^\d+$/.test(value)
    ? Number(value) * 1000
    : /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?$/.test(value)
      ? Date.parse(value)
      : NaN;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    throw new CasError(
      'CAS_CLI_USAGE',
      `--at ${value} is not an ISO 8601 time (2025-07-01T00:00:00Z) or unix seconds`,
    );
  }
  return new Date(ms);
}

function parseReportData(value: string): Uint8Array {
  if (!/^[0-9a-fA-F]{128}$/.test(value)) {
    throw new CasError('CAS_CLI_USAGE', '--expect-report-data takes 64 bytes as 128 hex digits');
  }
  return new Uint8Array(Buffer.from(value, 'hex'));
}

/**
 * `scone evidence verify FILE --type T [--collateral FILE|DIR] [--at TIME]
 * [--expect-report-data HEX] [--allow-debug]`: verifies evidence offline at a given time and
 * prints the claims as JSON; a refusal exits 3 with its code.
 */
export const evidenceVerify = defineCommand<Options>({
  path: ['evidence', 'verify'],
  summary: 'verify TEE evidence offline and print its claims as JSON',
  configure: (cmd) =>
    cmd
      .argument('<FILE>', 'the evidence: raw binary, base64 or hex')
      .requiredOption('--type <TYPE>', `evidence type: ${TYPES.join('|')}`)
      .option(
        '--collateral <FILE|DIR>',
        'collateral file or directory (Intel: DCAP collateral JSON; SNP: VCEK/VLEK and ASK/ARK)',
      )
      .option('--at <TIME>', 'verification time, ISO 8601 or unix seconds (default: now)')
      .option('--expect-report-data <HEX>', 'the 64-byte report data the evidence must carry')
      .option(
        '--allow-debug',
        'accept debug enclaves, TDs and guests (the claims still say debug)',
      ),
  async run(ctx, [file], opts) {
    const type = opts.type as EvidenceType;
    if (!TYPES.includes(type)) {
      throw new CasError(
        'CAS_ATTESTATION_UNKNOWN_TYPE',
        `--type ${opts.type} is not one of ${TYPES.join(', ')}`,
        { details: { type: opts.type } },
      );
    }
    const now = opts.at === undefined ? ctx.io.now() : parseAt(opts.at);
    const expectedReportData =
      opts.expectReportData === undefined ? undefined : parseReportData(opts.expectReportData);
    let raw: Uint8Array;
    try {
      raw = new Uint8Array(await readFile(file!));
    } catch (cause) {
      throw new CasError('CAS_CLI_FILE_UNREADABLE', `cannot read ${file}`, {
        cause,
        details: { path: file },
      });
    }
    const evidence = decodeEvidence(raw);
    const load = collateralLoaders[type];
    const collateral: unknown =
      load === undefined ? undefined : await load(opts.collateral, evidence);
    const claims = await verifierFor(type).verify({
      evidence,
      collateral: collateral as never,
      now,
      ...(expectedReportData === undefined ? {} : { expectedReportData }),
      ...(opts.allowDebug === true ? { allowDebug: true } : {}),
    });
    ctx.out.result(claims, JSON.stringify(claims, null, 2));
  },
});
