import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { bitString, NULL, seq, uint } from './der.js';
import { EC_PUBLIC_KEY, ED25519, P256, P384, RSA_ENCRYPTION } from './key-algorithms.js';
import { keyTypeOf } from './key-material.js';

/**
 * The SubjectPublicKeyInfo DER of a (private or public) key and its key identifier: SHA-1 of
 * the subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1), as @peculiar/x509 computed it for
 * the certificates issued before, so their authority key identifiers keep matching.
 *
 * The SPKI is encoded here from the key's JWK (its canonical DER, the same bytes node exports)
 * because OpenSSL's DER encoder costs about 20 times as much as its JWK export.
 *
 * @throws CAS_SECRETS_INVALID_VALUE for a key type the CAS does not support.
 */
export function publicKeyInfo(key: KeyObject): { spki: Buffer; keyId: Buffer } {
  const keyType = keyTypeOf(key);
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  const b64 = (v: string | undefined): Buffer => Buffer.from(v ?? '', 'base64url');
  let algorithm: Buffer;
  let bits: Buffer;
  switch (keyType) {
    case 'P-256':
    case 'P-384':
      algorithm = seq(EC_PUBLIC_KEY, keyType === 'P-256' ? P256 : P384);
      bits = Buffer.concat([Buffer.from([4]), b64(jwk.x), b64(jwk.y)]);
      break;
    case 'Ed25519':
      algorithm = seq(ED25519);
      bits = b64(jwk.x);
      break;
    case 'RSA-2048':
    case 'RSA-3072':
      algorithm = seq(RSA_ENCRYPTION, NULL);
      bits = seq(uint(b64(jwk.n)), uint(b64(jwk.e)));
      break;
  }
  return {
    spki: seq(algorithm, bitString(bits)),
    keyId: createHash('sha1').update(bits).digest(),
  };
}
