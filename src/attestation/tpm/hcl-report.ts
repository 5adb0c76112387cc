/**
 * The Azure HCL (paravisor) attestation report of an SEV-SNP confidential VM: a 32-byte header
 * ("HCLA"), the SNP report, then the IGVM request data whose variable part is the JSON runtime
 * data holding the vTPM attestation key (`HCLAkPub`). The SNP report binds that JSON through
 * REPORT_DATA, which is how the AK is tied to the hardware.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { CasError } from '../../errors/cas-error.js';
import { SNP_REPORT_SIZE } from '../snp/snp-report.js';

const SNP_OFFSET = 0x20;
const REQUEST_OFFSET = SNP_OFFSET + SNP_REPORT_SIZE;
const REQUEST_HEADER = 20;
const REPORT_TYPE_SNP = 2;
const HASHES: Record<number, { name: string; length: number }> = {
  1: { name: 'sha256', length: 32 },
  2: { name: 'sha384', length: 48 },
  3: { name: 'sha512', length: 64 },
};

export interface HclReport {
  readonly snpReport: Uint8Array;
  /** The runtime data exactly as hashed into REPORT_DATA. */
  readonly runtimeData: Uint8Array;
  /** The REPORT_DATA the runtime data requires: its hash, then zeros to 64 bytes. */
  readonly expectedReportData: Uint8Array;
  readonly attestationKey: KeyObject;
  readonly vmConfiguration: Readonly<Record<string, unknown>>;
  readonly userData: string | null;
}

function malformed(message: string): CasError {
  return new CasError('CAS_ATTESTATION_EVIDENCE_MALFORMED', `Azure HCL report: ${message}`);
}

function attestationKeyOf(runtime: Record<string, unknown>): KeyObject {
  const keys = runtime['keys'];
  const jwk = Array.isArray(keys)
    ? (keys as unknown[]).find(
        (key): key is Record<string, unknown> =>
          typeof key === 'object' &&
          key !== null &&
          (key as Record<string, unknown>)['kid'] === 'HCLAkPub',
      )
    : undefined;
  if (
    jwk === undefined ||
    jwk['kty'] !== 'RSA' ||
    typeof jwk['n'] !== 'string' ||
    typeof jwk['e'] !== 'string'
  ) {
    throw new CasError(
      'CAS_ATTESTATION_TPM_AK_UNBOUND',
      'The HCL runtime data holds no RSA attestation key (HCLAkPub).',
    );
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: 'RSA', n: jwk['n'], e: jwk['e'] }, format: 'jwk' });
  } catch (cause) {
    throw new CasError(
      'CAS_ATTESTATION_TPM_AK_UNBOUND',
      'The HCL attestation key (HCLAkPub) is not a valid RSA key.',
      { cause },
    );
  }
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new CasError(
      'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
      'The HCL attestation key is shorter than 2048 bits.',
    );
  }
  return key;
}

/**
 * Parses an HCL report and its runtime data.
 * @throws CasError `CAS_ATTESTATION_EVIDENCE_MALFORMED`, `..._EVIDENCE_UNSUPPORTED` or
 *   `..._TPM_AK_UNBOUND`.
 */
export function parseHclReport(bytes: Uint8Array): HclReport {
  if (bytes.length < REQUEST_OFFSET + REQUEST_HEADER)
    throw malformed(`${bytes.length} bytes is too short`);
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== 'HCLA')
    throw malformed('magic is not "HCLA"');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (offset: number): number => view.getUint32(REQUEST_OFFSET + offset, true);
  const [dataSize, version, reportType, hashType, variableSize] = [
    u32(0),
    u32(4),
    u32(8),
    u32(12),
    u32(16),
  ];
  if (version !== 1 || reportType !== REPORT_TYPE_SNP) {
    throw new CasError(
      'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
      `Azure HCL report: request version ${version} / report type ${reportType} is not supported (1 / SNP is)`,
    );
  }
  const hash = HASHES[hashType];
  if (hash === undefined)
    throw new CasError(
      'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
      `Azure HCL report: hash type ${hashType} is not supported`,
    );
  const start = REQUEST_OFFSET + REQUEST_HEADER;
  if (dataSize !== REQUEST_HEADER + variableSize || start + variableSize > bytes.length) {
    throw malformed('the runtime data size does not fit the report');
  }
  const runtimeData = bytes.slice(start, start + variableSize);
  let runtime: unknown;
  try {
    runtime = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(runtimeData));
  } catch (cause) {
    throw new CasError(
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
      'Azure HCL report: the runtime data is not JSON.',
      { cause },
    );
  }
  if (typeof runtime !== 'object' || runtime === null || Array.isArray(runtime))
    throw malformed('the runtime data is not a JSON object');
  const fields = runtime as Record<string, unknown>;
  const expectedReportData = new Uint8Array(64);
  expectedReportData.set(createHash(hash.name).update(runtimeData).digest());
  const configuration = fields['vm-configuration'];
  return {
    snpReport: bytes.slice(SNP_OFFSET, SNP_OFFSET + SNP_REPORT_SIZE),
    runtimeData,
    expectedReportData,
    attestationKey: attestationKeyOf(fields),
    vmConfiguration:
      typeof configuration === 'object' && configuration !== null
        ? (configuration as Record<string, unknown>)
        : {},
    userData: typeof fields['user-data'] === 'string' ? fields['user-data'] : null,
  };
}
