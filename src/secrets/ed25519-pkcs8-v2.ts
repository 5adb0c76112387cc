import { createPublicKey, type KeyObject } from 'node:crypto';

/** The fixed 16-byte prefix node writes for an Ed25519 PKCS#8 v1 key. */
const V1_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * PKCS#8 v2 (RFC 5958 OneAsymmetricKey, with the public key) DER of an Ed25519 key: what
 * SCONE renders for `:der` and what the `ring` crate requires. Node and OpenSSL 3.0 write v1.
 */
export function ed25519Pkcs8V2(key: KeyObject): Buffer {
  const v1 = key.export({ type: 'pkcs8', format: 'der' });
  if (v1.length !== 48 || !v1.subarray(0, 16).equals(V1_PREFIX)) {
    throw new RangeError('not an Ed25519 PKCS#8 v1 key');
  }
  const pub = createPublicKey(key).export({ type: 'spki', format: 'der' }).subarray(12);
  return Buffer.concat([
    Buffer.from('3051020101300506032b657004220420', 'hex'),
    v1.subarray(16),
    Buffer.from('812100', 'hex'),
    pub,
  ]);
}
