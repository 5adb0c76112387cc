import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { CasError } from '../../errors/cas-error.js';
import type { CasErrorCode } from '../../errors/codes.js';
import {
  derBytes,
  derChildren,
  derContent,
  derOid,
  derSerialHex,
  derTime,
  expectTag,
  readDer,
  readDerExact,
  type DerNode,
} from '../../encoding/der-reader.js';

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';
const BASIC_CONSTRAINTS = '2.5.29.19';

/** The parts of an X.509 certificate the Intel checks use, read from its DER. */
export interface Certificate {
  readonly der: Uint8Array;
  readonly serialHex: string;
  readonly issuerDer: Uint8Array;
  readonly subjectDer: Uint8Array;
  readonly issuerCn: string;
  readonly subjectCn: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCa: boolean;
  readonly publicKey: KeyObject;
  /** Extension values (the OCTET STRING content) by dotted OID. */
  readonly extensions: ReadonlyMap<string, Uint8Array>;
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: string;
  /** The DER-encoded ECDSA signature (BIT STRING content without the unused-bits byte). */
  readonly signature: Uint8Array;
}

/** Reads the common name of a DER Name, or '' when it has none. */
export function commonName(name: DerNode, code: CasErrorCode): string {
  for (const rdn of derChildren(name, code)) {
    for (const atv of derChildren(rdn, code)) {
      const [oid, value] = derChildren(atv, code);
      if (oid !== undefined && value !== undefined && derOid(oid, code) === COMMON_NAME) {
        return Buffer.from(derContent(value)).toString('utf8');
      }
    }
  }
  return '';
}

/** The BIT STRING content of a signature, without its unused-bits byte. */
export function bitStringBytes(node: DerNode | undefined, code: CasErrorCode): Uint8Array {
  const bytes = derContent(expectTag(node, 0x03, code, 'a bit string'));
  if (bytes.length < 1 || bytes[0] !== 0) throw new CasError(code, 'DER: bad bit string.');
  return bytes.subarray(1);
}

/** The algorithm OID of an AlgorithmIdentifier. */
export function algorithmOid(node: DerNode | undefined, code: CasErrorCode): string {
  const [oid] = derChildren(expectTag(node, 0x30, code, 'an algorithm identifier'), code);
  return derOid(expectTag(oid, 0x06, code, 'an algorithm OID'), code);
}

/**
 * Parses a DER certificate. Structural failures are reported with `code` (the caller knows
 * whether the bytes came from the evidence or from collateral).
 */
export function parseCertificate(der: Uint8Array, code: CasErrorCode): Certificate {
  const root = expectTag(readDer(der, 0, code), 0x30, code, 'a certificate');
  if (root.end !== der.length) throw new CasError(code, 'Certificate has trailing bytes.');
  const [tbsNode, sigAlg, sigValue] = derChildren(root, code);
  const tbs = expectTag(tbsNode, 0x30, code, 'a TBS certificate');
  const fields = derChildren(tbs, code);
  let i = fields[0]?.tag === 0xa0 ? 1 : 0;
  const serial = fields[i++];
  i++; // inner signature algorithm, must equal the outer one (checked below)
  const issuer = expectTag(fields[i++], 0x30, code, 'an issuer name');
  const validity = derChildren(expectTag(fields[i++], 0x30, code, 'a validity'), code);
  const subject = expectTag(fields[i++], 0x30, code, 'a subject name');
  const spki = expectTag(fields[i++], 0x30, code, 'a subject public key');
  const extensions = new Map<string, Uint8Array>();
  let isCa = false;
  for (const field of fields.slice(i)) {
    if (field.tag !== 0xa3) continue;
    const [list] = derChildren(field, code);
    for (const ext of derChildren(expectTag(list, 0x30, code, 'extensions'), code)) {
      const parts = derChildren(ext, code);
      const oid = derOid(expectTag(parts[0], 0x06, code, 'an extension OID'), code);
      const value = derContent(
        expectTag(parts[parts.length - 1], 0x04, code, 'an extension value'),
      );
      if (extensions.has(oid)) throw new CasError(code, `Certificate repeats extension ${oid}.`);
      extensions.set(oid, value);
      if (oid === BASIC_CONSTRAINTS) {
        const bc = expectTag(readDerExact(value, code), 0x30, code, 'basic constraints');
        const first = derChildren(bc, code)[0];
        isCa = first?.tag === 0x01 && derContent(first)[0] === 0xff;
      }
    }
  }
  const signatureAlgorithm = algorithmOid(sigAlg, code);
  if (algorithmOid(fields[fields[0]?.tag === 0xa0 ? 2 : 1], code) !== signatureAlgorithm) {
    throw new CasError(code, 'Certificate signature algorithms disagree.');
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(derBytes(spki)), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new CasError(code, 'Certificate public key cannot be read.', { cause });
  }
  return {
    der,
    serialHex: derSerialHex(expectTag(serial, 0x02, code, 'a serial'), code),
    issuerDer: derBytes(issuer),
    subjectDer: derBytes(subject),
    issuerCn: commonName(issuer, code),
    subjectCn: commonName(subject, code),
    notBefore: derTime(present(validity[0], code), code),
    notAfter: derTime(present(validity[1], code), code),
    isCa,
    publicKey,
    extensions,
    tbs: derBytes(tbs),
    signatureAlgorithm,
    signature: bitStringBytes(sigValue, code),
  };
}

function present(node: DerNode | undefined, code: CasErrorCode): DerNode {
  if (node === undefined)
    throw new CasError(code, 'DER structure is malformed: a field is missing.');
  return node;
}

/** Verifies an ECDSA-with-SHA256 signature (DER form) made by `key`; false on any failure. */
export function verifyEcdsaDer(
  algorithm: string,
  data: Uint8Array,
  signature: Uint8Array,
  key: KeyObject,
): boolean {
  if (algorithm !== ECDSA_WITH_SHA256 || key.asymmetricKeyType !== 'ec') return false;
  try {
    return verify('sha256', data, key, signature);
  } catch {
    return false;
  }
}

/**
 * Splits PEM text into DER certificates. Text between blocks (and trailing NULs) is ignored,
 * but every BEGIN marker must open a well-formed block: a damaged block is refused rather than
 * skipped, so a chain cannot silently lose a certificate.
 */
export function pemCertificates(text: string, code: CasErrorCode): Uint8Array[] {
  const out: Uint8Array[] = [];
  const begin = '-----BEGIN CERTIFICATE-----';
  const block = /^-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*?)-----END CERTIFICATE-----/;
  for (let at = text.indexOf(begin); at !== -1; at = text.indexOf(begin, at + begin.length)) {
    const match = block.exec(text.slice(at));
    const body = (match?.[1] ?? '').replace(/\s+/g, '');
    if (
      match === null ||
      body.length === 0 ||
      !/^[A-Za-z0-9+/]+={0,2}$/.test(body) ||
      body.length % 4 !== 0
    ) {
      throw new CasError(code, 'A PEM certificate block is damaged.');
    }
    out.push(new Uint8Array(Buffer.from(body, 'base64')));
  }
  return out;
}
