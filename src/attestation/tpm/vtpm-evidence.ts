/**
 * The JSON envelope of Azure vTPM evidence, as confidential-containers/trustee produces it:
 * `{ "quote": { "message", "signature", "pcrs": [...] }, "report": <HCL report>, "vcek": PEM }`,
 * or just the quote object `{ "message", "signature", "pcrs" }` with the HCL report passed as
 * collateral. Byte fields are hex strings or arrays of byte values.
 */
import { CasError } from '../../errors/cas-error.js';
import { pemCertificates } from '../pki/certificate.js';

const MAX_EVIDENCE = 512 * 1024;

export interface VtpmEvidence {
  /** The marshalled TPMS_ATTEST. */
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
  /** PCR values of the quoted bank, by index. */
  readonly pcrs: readonly Uint8Array[];
  readonly hclReport: Uint8Array | null;
  /** Certificates (DER) that came with the evidence: the VCEK first, maybe its chain. */
  readonly certificates: readonly Uint8Array[];
}

function malformed(message: string, cause?: unknown): CasError {
  return new CasError('CAS_ATTESTATION_EVIDENCE_MALFORMED', `TPM evidence: ${message}`, {
    ...(cause === undefined ? {} : { cause }),
  });
}

function bytesOf(value: unknown, what: string): Uint8Array {
  if (typeof value === 'string') {
    if (value.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(value))
      throw malformed(`${what} is not hex`);
    return new Uint8Array(Buffer.from(value, 'hex'));
  }
  if (
    Array.isArray(value) &&
    value.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255)
  ) {
    return Uint8Array.from(value as number[]);
  }
  throw malformed(`${what} must be hex or an array of bytes`);
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed(`${what} must be an object`);
  return value as Record<string, unknown>;
}

/** Parses the evidence JSON. @throws CasError `CAS_ATTESTATION_EVIDENCE_MALFORMED`. */
export function parseVtpmEvidence(evidence: Uint8Array): VtpmEvidence {
  if (evidence.length > MAX_EVIDENCE) throw malformed(`larger than ${MAX_EVIDENCE} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(evidence));
  } catch (cause) {
    throw malformed('not JSON', cause);
  }
  const outer = record(json, 'the evidence');
  const quote = outer['quote'] === undefined ? outer : record(outer['quote'], 'quote');
  const pcrs = quote['pcrs'];
  if (!Array.isArray(pcrs) || pcrs.length > 32)
    throw malformed('pcrs must be a list of at most 32 values');
  const vcek = outer['vcek'];
  if (vcek !== undefined && typeof vcek !== 'string') throw malformed('vcek must be PEM text');
  return {
    message: bytesOf(quote['message'], 'message'),
    signature: bytesOf(quote['signature'], 'signature'),
    pcrs: pcrs.map((pcr: unknown, index) => bytesOf(pcr, `pcrs[${index}]`)),
    hclReport: outer['report'] === undefined ? null : bytesOf(outer['report'], 'report'),
    certificates: vcek === undefined ? [] : pemCertificates(vcek),
  };
}
