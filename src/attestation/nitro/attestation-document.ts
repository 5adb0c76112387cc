/**
 * The payload of an AWS Nitro Enclaves attestation document (AWS, "Verifying the root of
 * trust"): a CBOR map with module_id, digest, timestamp, pcrs, certificate, cabundle and the
 * optional public_key, user_data and nonce. Each field's type and size is checked here, so the
 * verifier works only with well-formed values.
 */
import { CasError } from '../../errors/cas-error.js';
import { decodeCbor, isBytes } from './cose-sign1.js';

/** A checked attestation document. */
export interface NitroDocument {
  readonly moduleId: string;
  readonly digest: 'SHA384';
  /** Milliseconds since the Unix epoch, as the NSM wrote it. */
  readonly timestamp: number;
  /** PCR index to value, in index order. */
  readonly pcrs: ReadonlyMap<number, Uint8Array>;
  readonly certificate: Uint8Array;
  /** Root first, then down to the issuer of `certificate`. */
  readonly cabundle: readonly Uint8Array[];
  readonly publicKey: Uint8Array | null;
  readonly userData: Uint8Array | null;
  readonly nonce: Uint8Array | null;
}

const MAX_OPTIONAL_FIELD = 4096;
const MAX_CERTIFICATE = 4096;

function malformed(message: string): CasError {
  return new CasError(
    'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    `Nitro attestation document: ${message}`,
  );
}

function bytesField(value: unknown, name: string, min: number, max: number): Uint8Array {
  if (!isBytes(value) || value.length < min || value.length > max) {
    throw malformed(`${name} must be a byte string of ${min} to ${max} bytes`);
  }
  return Uint8Array.from(value);
}

function optionalBytes(value: unknown, name: string): Uint8Array | null {
  return value === undefined || value === null
    ? null
    : bytesField(value, name, 0, MAX_OPTIONAL_FIELD);
}

function readPcrs(value: unknown): Map<number, Uint8Array> {
  if (!(value instanceof Map) || value.size < 1 || value.size > 32) {
    throw malformed('pcrs must be a map of 1 to 32 entries');
  }
  const pcrs = new Map<number, Uint8Array>();
  for (const [index, pcr] of value as Map<unknown, unknown>) {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > 31) {
      throw malformed('pcrs keys must be indexes 0 to 31');
    }
    // The document's digest is SHA-384, so every PCR is 48 bytes.
    pcrs.set(index, bytesField(pcr, `pcr${index}`, 48, 48));
  }
  return new Map([...pcrs].sort(([a], [b]) => a - b));
}

function readTimestamp(value: unknown): number {
  const timestamp =
    typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp <= 0) {
    throw malformed('timestamp must be a positive integer (milliseconds)');
  }
  return timestamp;
}

/**
 * Parses and checks the document payload.
 * @throws CasError `CAS_ATTESTATION_EVIDENCE_MALFORMED` or `..._EVIDENCE_UNSUPPORTED` (digest).
 */
export function parseNitroDocument(payload: Uint8Array): NitroDocument {
  const map = decodeCbor(payload, 'the payload');
  if (!(map instanceof Map)) throw malformed('the payload must be a map');
  const field = (name: string): unknown => (map as Map<unknown, unknown>).get(name);
  const moduleId = field('module_id');
  if (typeof moduleId !== 'string' || moduleId.length === 0)
    throw malformed('module_id must be a non-empty text');
  if (field('digest') !== 'SHA384') {
    throw new CasError(
      'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
      `Nitro attestation document: digest ${String(field('digest'))} is not supported (SHA384 is)`,
    );
  }
  const cabundle = field('cabundle');
  if (!Array.isArray(cabundle) || cabundle.length < 1 || cabundle.length > 16) {
    throw malformed('cabundle must be a list of 1 to 16 certificates');
  }
  return {
    moduleId,
    digest: 'SHA384',
    timestamp: readTimestamp(field('timestamp')),
    pcrs: readPcrs(field('pcrs')),
    certificate: bytesField(field('certificate'), 'certificate', 1, MAX_CERTIFICATE),
    cabundle: cabundle.map((der: unknown, index) =>
      bytesField(der, `cabundle[${index}]`, 1, MAX_CERTIFICATE),
    ),
    publicKey: optionalBytes(field('public_key'), 'public_key'),
    userData: optionalBytes(field('user_data'), 'user_data'),
    nonce: optionalBytes(field('nonce'), 'nonce'),
  };
}
