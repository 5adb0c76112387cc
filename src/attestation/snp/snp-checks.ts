/**
 * The SNP rules beyond signatures, separate so that each can be tested on a parsed report: the
 * key was issued for the reported TCB and (VCEK) for this chip; no migration agent; debug only
 * when allowed; the expected VMPL; the expected binding.
 */
import { timingSafeEqual } from 'node:crypto';
import { CasError } from '../../errors/cas-error.js';
import type { ParsedCertificate } from '../pki/certificate.js';
import { POLICY_DEBUG, POLICY_MIGRATE_MA, type SnpReport } from './snp-report.js';
import { tcbEntries, type SnpTcb } from './snp-tcb.js';
import { readVcekExtensions } from './vcek-extensions.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What {@link checkGuest} needs from the request and options. */
export interface GuestExpectations {
  readonly allowDebug?: boolean;
  readonly vmpl?: number;
  readonly expectedReportData?: Uint8Array;
}

/**
 * The VCEK/VLEK was issued for the reported TCB and, for a VCEK, for this chip.
 * @throws CasError `CAS_ATTESTATION_SNP_TCB_MISMATCH` or `CAS_ATTESTATION_SNP_CHIP_ID_MISMATCH`.
 */
export function checkEndorsement(
  report: SnpReport,
  leaf: ParsedCertificate,
  reported: SnpTcb,
): void {
  const endorsed = readVcekExtensions(leaf);
  const mismatched = tcbEntries(reported).filter(([name, value]) => endorsed.tcb[name] !== value);
  if (mismatched.length > 0 || (endorsed.tcb.fmc !== undefined && reported.fmc === undefined)) {
    throw new CasError(
      'CAS_ATTESTATION_SNP_TCB_MISMATCH',
      `The reported TCB ${JSON.stringify(reported)} is not the TCB the ${leaf.label} was issued for ${JSON.stringify(endorsed.tcb)}.`,
      { details: { reported, endorsed: endorsed.tcb } },
    );
  }
  if (report.signingKey !== 'vcek' || report.maskChipId) return;
  const chipId = endorsed.hwid?.length === 8 ? report.chipId.subarray(0, 8) : report.chipId;
  if (endorsed.hwid === null || !sameBytes(endorsed.hwid, chipId)) {
    throw new CasError(
      'CAS_ATTESTATION_SNP_CHIP_ID_MISMATCH',
      'The SNP report CHIP_ID is not the hwID of the VCEK.',
      {
        details: { chip_id: hex(report.chipId) },
      },
    );
  }
}

/**
 * Guest policy, VMPL and binding; returns whether the guest is debuggable.
 * @throws CasError `..._SNP_MIGRATION_AGENT`, `..._DEBUG_REFUSED`, `..._SNP_VMPL_MISMATCH`,
 *   `..._REPORT_DATA_MISMATCH`.
 */
export function checkGuest(report: SnpReport, input: GuestExpectations): boolean {
  if (
    (report.policy & POLICY_MIGRATE_MA) !== 0n ||
    !report.reportIdMa.every((byte) => byte === 0xff)
  ) {
    throw new CasError(
      'CAS_ATTESTATION_SNP_MIGRATION_AGENT',
      'The SNP guest policy allows a migration agent (MIGRATE_MA); such guests are refused.',
      {
        details: { policy: `0x${report.policy.toString(16)}` },
      },
    );
  }
  const debug = (report.policy & POLICY_DEBUG) !== 0n;
  if (debug && input.allowDebug !== true) {
    throw new CasError(
      'CAS_ATTESTATION_DEBUG_REFUSED',
      'The SNP guest policy allows debugging (DEBUG=1); debug guests are refused unless debug is allowed.',
      {
        details: { policy: `0x${report.policy.toString(16)}` },
      },
    );
  }
  const vmpl = input.vmpl ?? 0;
  if (report.vmpl !== vmpl) {
    throw new CasError(
      'CAS_ATTESTATION_SNP_VMPL_MISMATCH',
      `The SNP report was requested at VMPL ${report.vmpl}; expected VMPL ${vmpl}.`,
      {
        details: { vmpl: report.vmpl, expected: vmpl },
      },
    );
  }
  if (
    input.expectedReportData !== undefined &&
    !sameBytes(report.reportData, input.expectedReportData)
  ) {
    throw new CasError(
      'CAS_ATTESTATION_REPORT_DATA_MISMATCH',
      'The SNP REPORT_DATA is not the expected binding.',
      {
        details: { report_data: hex(report.reportData) },
      },
    );
  }
  return debug;
}
