import {
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
} from 'node:crypto';
import { CasError } from '../../errors/cas-error.js';
import { gcmDecrypt, gcmEncrypt } from '../barrier/aes-gcm.js';
import { SecretKey } from '../secret-key.js';
import type { Sealer, WrappedFields } from './sealer.js';

/** The curves a recipient key may use, and the hash HKDF uses with each. */
const SUITES = {
  prime256v1: { method: 'ecdh-p256-hkdf-sha256-aes-256-gcm', hash: 'sha256' },
  secp384r1: { method: 'ecdh-p384-hkdf-sha384-aes-256-gcm', hash: 'sha384' },
} as const;

function suiteOf(key: KeyObject) {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || (curve !== 'prime256v1' && curve !== 'secp384r1')) {
    throw new CasError(
      'CAS_STORE_CONFIG_INVALID',
      'a key-wrapping recipient key must be an EC key on P-256 or P-384',
    );
  }
  return { curve, ...SUITES[curve] };
}

/**
 * The key-store method name for wrapping to `recipient` (P-256 or P-384).
 *
 * @throws CAS_STORE_CONFIG_INVALID for another key type.
 */
export function ecdhMethodOf(recipient: KeyObject): string {
  return suiteOf(recipient.type === 'private' ? createPublicKey(recipient) : recipient).method;
}

const spki = (key: KeyObject): Buffer => key.export({ type: 'spki', format: 'der' });

/**
 * The key-encryption key: HKDF over the ECDH shared secret, with both public keys in the info
 * so the KEK belongs to this one ephemeral/recipient pair.
 */
function kek(hash: string, shared: Buffer, ephemeral: Buffer, recipient: Buffer): Buffer {
  const info = Buffer.concat([
    Buffer.from('cas-backup-v1 database key wrap\0'),
    ephemeral,
    recipient,
  ]);
  try {
    return Buffer.from(hkdfSync(hash, shared, Buffer.alloc(0), info, 32));
  } finally {
    shared.fill(0);
  }
}

/**
 * Wraps `key` to a recipient's public key (ECDH with a fresh ephemeral key, HKDF, AES-256-GCM):
 * only the holder of the matching private key (the backup CAS that bound it in its
 * `cas-backup-v1` evidence) can unwrap it.
 */
export function wrapToPublicKey(
  key: SecretKey,
  recipient: KeyObject,
  aad: Uint8Array,
): { readonly method: string; readonly fields: WrappedFields } {
  const publicKey = recipient.type === 'private' ? createPublicKey(recipient) : recipient;
  const suite = suiteOf(publicKey);
  const ephemeral = generateKeyPairSync('ec', { namedCurve: suite.curve });
  const ephemeralSpki = spki(ephemeral.publicKey);
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey });
  const wrapKey = kek(suite.hash, shared, ephemeralSpki, spki(publicKey));
  try {
    return {
      method: suite.method,
      fields: {
        ephemeral_public_key: ephemeralSpki.toString('base64'),
        ciphertext: gcmEncrypt(wrapKey, key.bytes, aad).toString('base64'),
      },
    };
  } finally {
    wrapKey.fill(0);
  }
}

/** Unwraps what {@link wrapToPublicKey} made for `privateKey`; null when it cannot. */
export function unwrapWithPrivateKey(
  fields: WrappedFields,
  privateKey: KeyObject,
  aad: Uint8Array,
): SecretKey | null {
  const ephemeralText = fields['ephemeral_public_key'];
  const ciphertext = fields['ciphertext'];
  if (ephemeralText === undefined || ciphertext === undefined) return null;
  const suite = suiteOf(createPublicKey(privateKey));
  let ephemeral: KeyObject;
  try {
    ephemeral = createPublicKey({
      key: Buffer.from(ephemeralText, 'base64'),
      format: 'der',
      type: 'spki',
    });
    if (ephemeral.asymmetricKeyDetails?.namedCurve !== suite.curve) return null;
  } catch {
    return null;
  }
  const shared = diffieHellman({ privateKey, publicKey: ephemeral });
  const wrapKey = kek(suite.hash, shared, spki(ephemeral), spki(createPublicKey(privateKey)));
  try {
    const plain = gcmDecrypt(wrapKey, Buffer.from(ciphertext, 'base64'), aad);
    if (plain === null) return null;
    const key = new SecretKey(plain);
    plain.fill(0);
    return key;
  } finally {
    wrapKey.fill(0);
  }
}

/**
 * A sealer over an EC key pair: what a backup or replica CAS uses to open the entry its
 * primary wrapped to the key it bound in its `cas-backup-v1` evidence.
 */
export function createEcdhSealer(privateKey: KeyObject): Sealer {
  const publicKey = createPublicKey(privateKey);
  const { method } = suiteOf(publicKey);
  return {
    method,
    describe: () => `ECDH key wrapping (${method})`,
    wrap: (key, aad) => Promise.resolve(wrapToPublicKey(key, publicKey, aad).fields),
    unwrap: (fields, aad) => Promise.resolve(unwrapWithPrivateKey(fields, privateKey, aad)),
  };
}
