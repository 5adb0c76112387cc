import { createHash, timingSafeEqual } from 'node:crypto';
import { CasError } from '../../errors/cas-error.js';
import { verifyPckChain, verifyTcbSigner } from './chain.js';
import type { IntelCollateral } from './collateral.js';
import { checkCrl, parseCrl } from './crl.js';
import { pckExtensions, type PckExtensions } from './pck-extensions.js';
import { matchQeIdentity, parseQeIdentity } from './qe-identity.js';
import { parseQuote, type Quote } from './quote.js';
import {
  checkIssueWindow,
  parseJsonBytes,
  rawP256Key,
  verifyRawP256,
  verifySignedBytes,
} from './signed-json.js';
import { matchPlatformLevel, matchTdLevels, parseTcbInfo, type TdLevels } from './tcb-info.js';
import { unionAdvisories, worstStatus, type IntelStatus, type MatchedLevel } from './tcb-status.js';

/** Everything a DCAP quote verification established, for the SGX and TDX claim builders. */
export interface DcapVerified {
  readonly quote: Quote;
  readonly pck: PckExtensions;
  readonly platform: MatchedLevel;
  readonly qe: MatchedLevel;
  readonly tdxModule?: { readonly id: string; readonly level: MatchedLevel | null };
  /** TD 1.5 with a preserved launch TCB: the levels of TEE_TCB_SVN2 (the TCB running now). */
  readonly current?: TdLevels;
  readonly status: IntelStatus;
  readonly advisoryIds: readonly string[];
  readonly tcbEvaluationDataNumber: number;
}

const BYTES_FIELDS = [
  'rootCaCrl',
  'pckCrl',
  'tcbInfo',
  'tcbInfoSignature',
  'qeIdentity',
  'qeIdentitySignature',
] as const;
const TEXT_FIELDS = ['tcbInfoIssuerChain', 'qeIdentityIssuerChain'] as const;

/** Collateral can come from a caller that did not type-check it: check its shape at run time. */
function requireCollateral(c: unknown): IntelCollateral {
  const missing: string[] = [];
  const obj = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>;
  for (const f of BYTES_FIELDS) if (!(obj[f] instanceof Uint8Array)) missing.push(f);
  for (const f of TEXT_FIELDS) if (typeof obj[f] !== 'string') missing.push(f);
  const min = obj['minTcbEvaluationDataNumber'];
  if (min !== undefined && (typeof min !== 'number' || !Number.isInteger(min)))
    missing.push('minTcbEvaluationDataNumber');
  if (missing.length > 0) {
    throw new CasError(
      'CAS_ATTESTATION_COLLATERAL_MISSING',
      `Intel collateral is incomplete (${missing.join(', ')}).`,
      { details: { missing } },
    );
  }
  return obj as unknown as IntelCollateral;
}

/** Verifies the quote's own signatures: QE report by the PCK key, the key binding, the body by the attestation key. */
function verifyQuoteSignatures(quote: Quote, pckKey: Parameters<typeof verifyRawP256>[2]): void {
  if (!verifyRawP256(quote.qeReport.raw, quote.qeReportSignature, pckKey)) {
    throw new CasError(
      'CAS_ATTESTATION_SIGNATURE_INVALID',
      'The QE report signature does not verify with the PCK certificate.',
      { details: { signature: 'qe_report' } },
    );
  }
  const expected = createHash('sha256')
    .update(quote.attestationKey)
    .update(quote.qeAuthData)
    .digest();
  const reportData = quote.qeReport.reportData;
  if (
    !timingSafeEqual(expected, reportData.subarray(0, 32)) ||
    reportData.subarray(32).some((b) => b !== 0)
  ) {
    throw new CasError(
      'CAS_ATTESTATION_KEY_BINDING_INVALID',
      'The QE report data is not SHA-256(attestation key || QE auth data) followed by zeros.',
    );
  }
  const attestationKey = rawP256Key(quote.attestationKey, 'attestation key');
  if (!verifyRawP256(quote.signedBytes, quote.signature, attestationKey)) {
    throw new CasError(
      'CAS_ATTESTATION_SIGNATURE_INVALID',
      'The quote signature does not verify with the attestation key.',
      { details: { signature: 'quote' } },
    );
  }
}

/**
 * Verifies an Intel DCAP ECDSA quote of the given TEE with its collateral at `now`: the PCK chain
 * to the pinned Intel root, both CRLs (each against the certificate of its issuer), the TCB info
 * and QE identity (signed by the Intel SGX TCB Signing certificate over their exact bytes), the
 * three quote signatures, FMSPC/PCE id, and the TCB levels of platform, QE and TDX module.
 */
export function verifyDcapQuote(
  evidence: Uint8Array,
  collateralIn: unknown,
  now: Date,
  tee: 'sgx' | 'tdx',
): DcapVerified {
  const quote = parseQuote(evidence);
  if (quote.teeType !== tee) {
    throw new CasError(
      'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
      `This is a ${quote.teeType.toUpperCase()} quote, not ${tee.toUpperCase()}.`,
      { details: { tee_type: quote.teeType } },
    );
  }
  const chain = verifyPckChain(quote.pckChainPem, now);
  const pck = pckExtensions(chain.leaf);
  verifyQuoteSignatures(quote, chain.leaf.publicKey);

  const c = requireCollateral(collateralIn);
  const tcbSigner = verifyTcbSigner(c.tcbInfoIssuerChain, now, 'TCB info issuer chain');
  const qeSigner = verifyTcbSigner(c.qeIdentityIssuerChain, now, 'QE identity issuer chain');
  checkCrl(
    parseCrl(c.rootCaCrl),
    chain.root,
    [chain.pckCa, tcbSigner, qeSigner],
    now,
    'Intel SGX Root CA CRL',
  );
  checkCrl(parseCrl(c.pckCrl), chain.pckCa, [chain.leaf], now, 'PCK CRL');

  verifySignedBytes(c.tcbInfo, c.tcbInfoSignature, tcbSigner.publicKey, 'TCB info');
  const tcbInfo = parseTcbInfo(parseJsonBytes(c.tcbInfo, 'TCB info'), tee);
  checkIssueWindow(tcbInfo.issueDate, tcbInfo.nextUpdate, now, 'TCB info');
  verifySignedBytes(c.qeIdentity, c.qeIdentitySignature, qeSigner.publicKey, 'QE identity');
  const qeIdentity = parseQeIdentity(parseJsonBytes(c.qeIdentity, 'QE identity'), tee);
  checkIssueWindow(qeIdentity.issueDate, qeIdentity.nextUpdate, now, 'QE identity');

  if (tcbInfo.fmspc.toLowerCase() !== pck.fmspc || tcbInfo.pceId.toLowerCase() !== pck.pceId) {
    throw new CasError(
      'CAS_ATTESTATION_FMSPC_MISMATCH',
      `The TCB info is for FMSPC ${tcbInfo.fmspc.toLowerCase()}, the PCK certificate for ${pck.fmspc}.`,
      {
        details: {
          fmspc: pck.fmspc,
          tcb_info_fmspc: tcbInfo.fmspc.toLowerCase(),
          pce_id: pck.pceId,
        },
      },
    );
  }
  const min = c.minTcbEvaluationDataNumber;
  if (min !== undefined && tcbInfo.tcbEvaluationDataNumber < min) {
    throw new CasError(
      'CAS_ATTESTATION_COLLATERAL_STALE',
      `The TCB info has evaluation data number ${tcbInfo.tcbEvaluationDataNumber}; ${min} was already seen for FMSPC ${pck.fmspc}.`,
      {
        details: {
          fmspc: pck.fmspc,
          tcb_evaluation_data_number: tcbInfo.tcbEvaluationDataNumber,
          minimum: min,
        },
      },
    );
  }

  const td = quote.body.kind === 'td' ? quote.body.report : undefined;
  const tdLevels = td ? matchTdLevels(tcbInfo, pck, td) : undefined;
  const platform =
    tdLevels?.launch.platform ??
    matchPlatformLevel(tcbInfo, { sgxTcbComponents: pck.sgxTcbComponents, pceSvn: pck.pceSvn });
  const tdxModule = tdLevels?.launch.module;
  const qe = matchQeIdentity(qeIdentity, quote.qeReport);
  const levels = [platform, qe];
  for (const l of [tdLevels?.launch, tdLevels?.current]) {
    if (l === undefined) continue;
    levels.push(l.platform);
    if (l.module.level) levels.push(l.module.level);
  }
  return {
    quote,
    pck,
    platform,
    qe,
    ...(tdxModule ? { tdxModule } : {}),
    ...(tdLevels?.current ? { current: tdLevels.current } : {}),
    status: worstStatus(levels.map((l) => l.status)),
    advisoryIds: unionAdvisories(levels.map((l) => l.advisoryIds)),
    tcbEvaluationDataNumber: tcbInfo.tcbEvaluationDataNumber,
  };
}

/** Compares the 64-byte report data with the expected binding, when one is given. */
export function checkReportData(actual: Uint8Array, expected: Uint8Array | undefined): void {
  if (expected === undefined) return;
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new CasError(
      'CAS_ATTESTATION_REPORT_DATA_MISMATCH',
      'The report data is not the expected binding.',
      {
        details: { report_data: Buffer.from(actual).toString('hex') },
      },
    );
  }
}

/** Lowercase hex. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
