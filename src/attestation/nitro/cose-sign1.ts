/**
 * COSE_Sign1 (RFC 9052 §4.2) as AWS Nitro Enclaves uses it: a CBOR array
 * `[protected bstr, unprotected map, payload bstr, signature bstr]`, tagged 18 or untagged.
 * Only what a Nitro attestation document needs: ES384 in the protected header, the payload,
 * and the Sig_structure the signature covers.
 */
import { decode, Tagged } from 'cborg';
import { CasError } from '../../errors/cas-error.js';

/** COSE algorithm id of ECDSA with SHA-384 (ES384). */
export const COSE_ES384 = -35;
const COSE_SIGN1_TAG = 18;
const COSE_SIGN1_TAG_NUMBER: number = COSE_SIGN1_TAG;

/** A parsed COSE_Sign1 message. */
export interface CoseSign1 {
  /** The serialized protected header, exactly as received (it is signed as is). */
  readonly protectedHeader: Uint8Array;
  readonly algorithm: number;
  readonly payload: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * Decoding options: maps stay `Map`s (COSE headers have integer keys), a duplicate map key is
 * an error (it could hide a second value from one reader but not another), and tag 18 is kept
 * as a `Tagged` so that the caller decides what it means.
 */
const decodeOptions = {
  useMaps: true,
  rejectDuplicateMapKeys: true,
  tags: { [COSE_SIGN1_TAG_NUMBER]: Tagged.decoder(COSE_SIGN1_TAG_NUMBER) },
};

function malformed(message: string, cause?: unknown): CasError {
  return new CasError(
    'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    `Nitro attestation document: ${message}`,
    {
      ...(cause === undefined ? {} : { cause }),
    },
  );
}

/** Decodes one CBOR item; a decoding error or a trailing byte is malformed evidence. */
export function decodeCbor(bytes: Uint8Array, what: string): unknown {
  // cborg's decode() refuses trailing bytes after the one item, as COSE requires.
  try {
    return decode(bytes, decodeOptions) as unknown;
  } catch (cause) {
    throw malformed(`${what} is not exactly one valid CBOR item`, cause);
  }
}

/** True for a CBOR byte string as cborg decodes it. */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

/**
 * Parses a COSE_Sign1 message.
 * @throws CasError `CAS_ATTESTATION_EVIDENCE_MALFORMED` or `..._EVIDENCE_UNSUPPORTED` (algorithm).
 */
export function parseCoseSign1(bytes: Uint8Array): CoseSign1 {
  let message = decodeCbor(bytes, 'the COSE_Sign1 message');
  if (message instanceof Tagged) {
    if (message.tag !== COSE_SIGN1_TAG) throw malformed(`unexpected CBOR tag ${message.tag}`);
    message = message.value;
  }
  if (!Array.isArray(message) || message.length !== 4) {
    throw malformed('COSE_Sign1 must be an array of four items');
  }
  const [protectedHeader, unprotectedHeader, payload, signature] = message as unknown[];
  if (!isBytes(protectedHeader) || !isBytes(payload) || !isBytes(signature)) {
    throw malformed('COSE_Sign1 protected header, payload and signature must be byte strings');
  }
  if (!(unprotectedHeader instanceof Map))
    throw malformed('COSE_Sign1 unprotected header must be a map');
  const header =
    protectedHeader.length === 0 ? new Map() : decodeCbor(protectedHeader, 'the protected header');
  if (!(header instanceof Map)) throw malformed('the protected header must be a map');
  const algorithm: unknown = header.get(1);
  if (algorithm !== COSE_ES384) {
    throw new CasError(
      'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
      `Nitro attestation document: COSE algorithm ${String(algorithm)} is not supported (ES384 = -35 is)`,
      {
        details: { algorithm: String(algorithm) },
      },
    );
  }
  return {
    protectedHeader: Uint8Array.from(protectedHeader),
    algorithm,
    payload: Uint8Array.from(payload),
    signature: Uint8Array.from(signature),
  };
}

/** The CBOR head of a major type with a length (definite lengths only, as COSE requires). */
function head(major: number, length: number): number[] {
  const type = major << 5;
  if (length < 24) return [type | length];
  if (length < 0x100) return [type | 24, length];
  if (length < 0x10000) return [type | 25, length >> 8, length & 0xff];
  return [
    type | 26,
    (length >>> 24) & 0xff,
    (length >> 16) & 0xff,
    (length >> 8) & 0xff,
    length & 0xff,
  ];
}

/**
 * The bytes the signature covers: `["Signature1", protected, h'', payload]` in deterministic
 * CBOR, built by hand so no encoder option can change them.
 */
export function sigStructure(message: CoseSign1): Uint8Array {
  const context = new TextEncoder().encode('Signature1');
  return new Uint8Array(
    Buffer.concat([
      Uint8Array.from([...head(4, 4), ...head(3, context.length)]),
      context,
      Uint8Array.from(head(2, message.protectedHeader.length)),
      message.protectedHeader,
      Uint8Array.from(head(2, 0)),
      Uint8Array.from(head(2, message.payload.length)),
      message.payload,
    ]),
  );
}
