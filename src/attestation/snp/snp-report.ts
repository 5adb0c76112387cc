/**
 * The SEV-SNP ATTESTATION_REPORT structure (AMD SEV-SNP ABI, "ATTESTATION_REPORT"), versions
 * 2, 3 and 5: 1184 bytes, little-endian. Parsing is bounds-checked and refuses any other size,
 * version or signature algorithm, so the verifier never reads past the buffer.
 */
import { CasError } from '../../errors/cas-error.js';

export const SNP_REPORT_SIZE = 0x4a0;
/** The report signature covers bytes [0, 0x2a0). */
export const SNP_SIGNED_LENGTH = 0x2a0;
const SUPPORTED_VERSIONS: ReadonlySet<number> = new Set([2, 3, 4, 5]);
const SIG_ALGO_ECDSA_P384_SHA384 = 1;

/** Guest policy bits (ABI "GUEST_POLICY"). */
export const POLICY_SMT = 1n << 16n;
export const POLICY_RESERVED_ONE = 1n << 17n;
export const POLICY_MIGRATE_MA = 1n << 18n;
export const POLICY_DEBUG = 1n << 19n;

/** Which key signed the report (SIGNER_INFO bits 2-4). */
export type SnpSigningKey = 'vcek' | 'vlek';

/** The fields of a report the verifier uses; byte fields are views into a private copy. */
export interface SnpReport {
  readonly version: number;
  readonly guestSvn: number;
  readonly policy: bigint;
  readonly familyId: Uint8Array;
  readonly imageId: Uint8Array;
  readonly vmpl: number;
  readonly currentTcb: Uint8Array;
  readonly platformInfo: bigint;
  readonly signingKey: SnpSigningKey;
  readonly maskChipId: boolean;
  readonly reportData: Uint8Array;
  readonly measurement: Uint8Array;
  readonly hostData: Uint8Array;
  readonly idKeyDigest: Uint8Array;
  readonly authorKeyDigest: Uint8Array;
  readonly reportId: Uint8Array;
  readonly reportIdMa: Uint8Array;
  readonly reportedTcb: Uint8Array;
  /** CPUID family/model/stepping (v3 and later); null in v2 reports. */
  readonly cpuid: {
    readonly family: number;
    readonly model: number;
    readonly stepping: number;
  } | null;
  readonly chipId: Uint8Array;
  readonly committedTcb: Uint8Array;
  readonly currentVersion: string;
  readonly launchTcb: Uint8Array;
  /** The signed bytes [0, 0x2a0). */
  readonly signed: Uint8Array;
  /** The signature as IEEE P1363 r‖s, 48 bytes each, big-endian. */
  readonly signature: Uint8Array;
}

function malformed(message: string): CasError {
  return new CasError('CAS_ATTESTATION_EVIDENCE_MALFORMED', `SNP report: ${message}`);
}

/** Reverses AMD's 72-byte little-endian signature component into 48 big-endian bytes. */
function signatureComponent(bytes: Uint8Array, offset: number): Uint8Array {
  // Only 48 bytes are used for P-384; the upper 24 must be zero, or the value is not canonical.
  for (let i = offset + 48; i < offset + 72; i += 1) {
    if (bytes[i] !== 0) throw malformed('signature component has non-zero high bytes');
  }
  return bytes.slice(offset, offset + 48).reverse();
}

/**
 * Parses an SNP attestation report.
 * @throws CasError `CAS_ATTESTATION_EVIDENCE_MALFORMED` (size, reserved fields) or
 *   `CAS_ATTESTATION_EVIDENCE_UNSUPPORTED` (version, signature algorithm, signing key).
 */
export function parseSnpReport(evidence: Uint8Array): SnpReport {
  if (evidence.length !== SNP_REPORT_SIZE) {
    throw malformed(`expected ${SNP_REPORT_SIZE} bytes, got ${evidence.length}`);
  }
  const bytes = evidence.slice();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (offset: number): number => view.getUint32(offset, true);
  const field = (offset: number, length: number): Uint8Array =>
    bytes.subarray(offset, offset + length);
  const version = u32(0x00);
  if (!SUPPORTED_VERSIONS.has(version)) {
    throw new CasError(
      'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
      `SNP report version ${version} is not supported (2 to 5 are)`,
      {
        details: { version },
      },
    );
  }
  const sigAlgo = u32(0x34);
  if (sigAlgo !== SIG_ALGO_ECDSA_P384_SHA384) {
    throw new CasError(
      'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
      `SNP signature algorithm ${sigAlgo} is not supported (1 = ECDSA P-384 is)`,
      {
        details: { sigAlgo },
      },
    );
  }
  const signerInfo = u32(0x48);
  const keyField = (signerInfo >> 2) & 0x7;
  if (keyField !== 0 && keyField !== 1) {
    throw new CasError(
      'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
      `SNP report signing key ${keyField} is not supported (VCEK or VLEK)`,
      {
        details: { signingKey: keyField },
      },
    );
  }
  // The signature field is 512 bytes: r and s, then reserved bytes that must be zero. They are
  // not signed, so accepting other values would make one report have many encodings.
  if (bytes.subarray(0x2a0 + 144).some((byte) => byte !== 0)) {
    throw malformed('reserved bytes after the signature are not zero');
  }
  const hasCpuid = version >= 3;
  return {
    version,
    guestSvn: u32(0x04),
    policy: view.getBigUint64(0x08, true),
    familyId: field(0x10, 16),
    imageId: field(0x20, 16),
    vmpl: u32(0x30),
    currentTcb: field(0x38, 8),
    platformInfo: view.getBigUint64(0x40, true),
    signingKey: keyField === 0 ? 'vcek' : 'vlek',
    maskChipId: (signerInfo & 0x2) !== 0,
    reportData: field(0x50, 64),
    measurement: field(0x90, 48),
    hostData: field(0xc0, 32),
    idKeyDigest: field(0xe0, 48),
    authorKeyDigest: field(0x110, 48),
    reportId: field(0x140, 32),
    reportIdMa: field(0x160, 32),
    reportedTcb: field(0x180, 8),
    cpuid: hasCpuid
      ? { family: bytes[0x188]!, model: bytes[0x189]!, stepping: bytes[0x18a]! }
      : null,
    chipId: field(0x1a0, 64),
    committedTcb: field(0x1e0, 8),
    currentVersion: `${bytes[0x1ea]}.${bytes[0x1e9]}.${bytes[0x1e8]}`,
    launchTcb: field(0x1f0, 8),
    signed: field(0, SNP_SIGNED_LENGTH),
    signature: Uint8Array.of(
      ...signatureComponent(bytes, 0x2a0),
      ...signatureComponent(bytes, 0x2e8),
    ),
  };
}
