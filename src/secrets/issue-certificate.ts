import { sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { toPem } from '../encoding/pem.js';
import type { KeyType } from '../policy/types.js';
import { certificateExtensions } from './certificate-extensions.js';
import {
  bitString,
  explicit,
  int,
  NULL,
  oid,
  seq,
  setOf,
  tlv,
  uint,
  utf8,
  x509Time,
} from './der.js';
import { issuerFields } from './issuer-fields.js';
import { keyTypeOf } from './key-material.js';
import { publicKeyInfo } from './public-key-info.js';

// RSA signs on libuv's thread pool, so its milliseconds do not stall the event loop; the
// thread hop would cost an EC or Ed25519 signature (tens of microseconds) more than it saves.
const signAsync = promisify(sign);

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const ECDSA_SHA384 = seq(oid('1.2.840.10045.4.3.3'));
const ED25519 = seq(oid('1.3.101.112'));
const SHA256_RSA = seq(oid('1.2.840.113549.1.1.11'), NULL);
const COMMON_NAME = oid('2.5.4.3');
const V3 = explicit(0, int(2));
// Subjects are PrintableString when their characters allow, as @peculiar/x509 wrote them.
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** What a certificate is issued from. */
export interface IssueRequest {
  /** Secret name, for error messages only. */
  readonly name: string;
  readonly ca: boolean;
  /** The subject's private key (its public half goes into the certificate). */
  readonly subjectKey: KeyObject;
  readonly commonName: string;
  /** `dns:name` or `ip:address` entries. */
  readonly san: readonly string[];
  readonly endpoint?: 'server' | 'client';
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Positive serial number as hex. */
  readonly serialHex: string;
  /** Absent: self-signed. */
  readonly issuer?: { readonly certificatePem: string; readonly privateKey: KeyObject };
}

/**
 * Issues an X.509 v3 certificate and returns its PEM (64-character lines, ending in a newline).
 * The TBSCertificate is encoded here in DER and signed with node:crypto, with the algorithm of
 * the signing key: ecdsa-with-SHA256 (P-256), ecdsa-with-SHA384 (P-384), Ed25519, or
 * sha256WithRSAEncryption (RSA). The serial is the given hex as a positive INTEGER. The
 * subject is one CN, a PrintableString when its characters allow, else a UTF8String. The
 * validity is in UTCTime for 1950 to 2049 and GeneralizedTime otherwise, to the second.
 *
 * CA certificates get BasicConstraints CA:TRUE and keyUsage keyCertSign, cRLSign and
 * digitalSignature; end-entity certificates get CA:FALSE, digitalSignature (and
 * keyEncipherment for RSA keys), and an extended key usage of serverAuth (`endpoint: server`),
 * clientAuth (`client`) or both (no endpoint). Every certificate has a subject key identifier
 * (SHA-1 of the public key bits) and an authority key identifier: the issuer's own subject
 * key identifier when its certificate has one, else computed from the issuer's key. An issued
 * certificate's issuer Name is the issuer certificate's subject, copied byte for byte.
 *
 * @throws CAS_SECRETS_INVALID_PARAMS for a SAN entry that is neither `dns:` nor `ip:`, or an
 *   IP address that does not parse; CAS_SECRETS_INVALID_VALUE for an unsupported key;
 *   RangeError for a serial that is not positive hex or an issuer PEM that is not a certificate.
 */
export async function issueCertificate(req: IssueRequest): Promise<string> {
  const subject = publicKeyInfo(req.subjectKey);
  const signingKey = req.issuer?.privateKey ?? req.subjectKey;
  const subjectName = rdnName(req.commonName);
  let issuerName = subjectName;
  let authorityKeyId = subject.keyId;
  if (req.issuer !== undefined) {
    const fields = issuerFields(req.issuer.certificatePem);
    issuerName = fields.subject;
    authorityKeyId = fields.keyId ?? publicKeyInfo(req.issuer.privateKey).keyId;
  }
  const keyType = keyTypeOf(signingKey);
  const algorithm = signatureAlgorithm(keyType);
  const tbs = seq(
    V3,
    uint(serialBytes(req.serialHex)),
    algorithm,
    issuerName,
    seq(x509Time(req.notBefore), x509Time(req.notAfter)),
    subjectName,
    subject.spki,
    certificateExtensions({
      name: req.name,
      ca: req.ca,
      rsa: keyTypeOf(req.subjectKey).startsWith('RSA'),
      san: req.san,
      ...(req.endpoint === undefined ? {} : { endpoint: req.endpoint }),
      keyId: subject.keyId,
      authorityKeyId,
    }),
  );
  const signature = keyType.startsWith('RSA')
    ? await signAsync(digestOf(keyType), tbs, signingKey)
    : sign(digestOf(keyType), tbs, signingKey);
  return toPem('CERTIFICATE', seq(tbs, algorithm, bitString(signature)));
}

/** A Name of one CN. */
function rdnName(commonName: string): Buffer {
  const value = PRINTABLE.test(commonName)
    ? tlv(0x13, Buffer.from(commonName, 'latin1'))
    : utf8(commonName);
  return seq(setOf(seq(COMMON_NAME, value)));
}

function serialBytes(hex: string): Buffer {
  if (!/^[0-9a-fA-F]+$/.test(hex) || /^0*$/.test(hex)) {
    throw new RangeError('the serial must be positive hex');
  }
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
}

function signatureAlgorithm(keyType: KeyType): Buffer {
  switch (keyType) {
    case 'P-256':
      return ECDSA_SHA256;
    case 'P-384':
      return ECDSA_SHA384;
    case 'Ed25519':
      return ED25519;
    case 'RSA-2048':
    case 'RSA-3072':
      return SHA256_RSA;
  }
}

/** The digest node:crypto's sign() takes for a key type (none: Ed25519 hashes internally). */
function digestOf(keyType: KeyType): string | null {
  return keyType === 'P-384' ? 'sha384' : keyType === 'Ed25519' ? null : 'sha256';
}
