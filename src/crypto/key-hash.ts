import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { base58CheckDecode, base58CheckEncode } from '../encoding/base58.js';
import { CasError } from '../errors/cas-error.js';

/** Version byte of a key hash (`interfaces.md` §2). */
const KEY_HASH_VERSION = 0x01;

/** Key hash of SubjectPublicKeyInfo DER: Base58Check(0x01 ‖ SHA-256(SPKI DER)). */
export function keyHashOfSpki(spkiDer: Uint8Array): string {
  return base58CheckEncode(KEY_HASH_VERSION, createHash('sha256').update(spkiDer).digest());
}

/** Key hash of a public (or private) key object. */
export function keyHashOfKey(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return keyHashOfSpki(pub.export({ type: 'spki', format: 'der' }));
}

/** Key hash of an X.509 certificate (PEM or DER): the hash of its public key. */
export function keyHashOfCertificate(cert: string | Uint8Array | X509Certificate): string {
  const x509 = cert instanceof X509Certificate ? cert : new X509Certificate(cert);
  return keyHashOfKey(x509.publicKey);
}

/**
 * Key hash of PEM text holding a certificate or a public key (the first one found).
 *
 * @throws CAS_CRYPTO_NOT_PEM when the text holds neither.
 */
export function keyHashOfPem(pem: string): string {
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  try {
    if (cert !== null) return keyHashOfCertificate(cert[0]);
    const pub = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/.exec(pem);
    if (pub !== null) return keyHashOfKey(createPublicKey(pub[0]));
  } catch (cause) {
    throw new CasError('CAS_CRYPTO_NOT_PEM', 'the PEM block could not be decoded', { cause });
  }
  throw new CasError(
    'CAS_CRYPTO_NOT_PEM',
    'expected a PEM certificate or public key (-----BEGIN CERTIFICATE----- or -----BEGIN PUBLIC KEY-----)',
  );
}

/** True when `text` is a well-formed key hash (Base58Check, version 1, 32-byte payload). */
export function isKeyHash(text: string): boolean {
  const decoded = base58CheckDecode(text);
  return decoded !== null && decoded.version === KEY_HASH_VERSION && decoded.payload.length === 32;
}
