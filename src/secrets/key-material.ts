import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import type { KeyType } from '../policy/types.js';
import { CasError } from '../errors/cas-error.js';
import { toPem } from '../encoding/pem.js';
import { bitString, explicit, int, octets, seq } from './der.js';
import { EC_PUBLIC_KEY, ED25519, P256, P384 } from './key-algorithms.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** Key types already known, by key object (a KeyObject never changes). */
const knownKeyTypes = new WeakMap<KeyObject, KeyType>();

/** The key type of a secret when its spec names none. */
export const DEFAULT_KEY_TYPE: KeyType = 'P-256';

/** Every key type the CAS can generate and use, for validation. */
export const KEY_TYPES: readonly KeyType[] = ['P-256', 'P-384', 'Ed25519', 'RSA-2048', 'RSA-3072'];

/** Generates a fresh private key of a type (randomness from the OS, through node:crypto). */
export async function generatePrivateKey(keyType: KeyType): Promise<KeyObject> {
  const key = await generateKey(keyType);
  knownKeyTypes.set(key, keyType);
  return key;
}

async function generateKey(keyType: KeyType): Promise<KeyObject> {
  switch (keyType) {
    case 'P-256':
    case 'P-384':
      return (await generateKeyPairAsync('ec', { namedCurve: keyType })).privateKey;
    case 'Ed25519':
      return (await generateKeyPairAsync('ed25519')).privateKey;
    case 'RSA-2048':
    case 'RSA-3072':
      return (
        await generateKeyPairAsync('rsa', {
          modulusLength: keyType === 'RSA-2048' ? 2048 : 3072,
          publicExponent: 0x10001,
        })
      ).privateKey;
  }
}

/**
 * The key type of a key object (remembered per object).
 *
 * @throws CAS_SECRETS_INVALID_VALUE for a curve or size the CAS does not support.
 */
export function keyTypeOf(key: KeyObject): KeyType {
  // Reading asymmetricKeyDetails costs about 45 µs (OpenSSL 3 parameter queries) and a session
  // asks several times per key, so the answer is kept.
  let keyType = knownKeyTypes.get(key);
  if (keyType === undefined) {
    keyType = readKeyType(key);
    knownKeyTypes.set(key, keyType);
  }
  return keyType;
}

function readKeyType(key: KeyObject): KeyType {
  const d = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec':
      if (d.namedCurve === 'prime256v1') return 'P-256';
      if (d.namedCurve === 'secp384r1') return 'P-384';
      break;
    case 'ed25519':
      return 'Ed25519';
    case 'rsa':
      if (d.modulusLength === 2048) return 'RSA-2048';
      if (d.modulusLength === 3072) return 'RSA-3072';
      break;
    case 'dsa':
    case 'ed448':
    case 'rsa-pss':
    case 'x25519':
    case 'x448':
    case undefined:
      break;
  }
  throw new CasError(
    'CAS_SECRETS_INVALID_VALUE',
    `unsupported key (${key.asymmetricKeyType ?? 'unknown'}); use one of ${KEY_TYPES.join(', ')}`,
  );
}

/** SHA-256 (lowercase hex) of bytes: fingerprints of SPKI and certificate DER. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** SHA-256 of the SPKI DER of a (private or public) key. */
export function spkiSha256(key: KeyObject): string {
  return sha256Hex(spkiDer(key));
}

/** SPKI DER of a (private or public) key. */
export function spkiDer(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'der' });
}

/**
 * PKCS#8 PEM of a private key, byte for byte what node exports. EC and Ed25519 keys are encoded
 * here from their JWK: OpenSSL 3's PKCS#8 encoder costs about 140 µs per key against 8 µs for
 * the JWK export, and a session create or update encodes six keys on the event loop.
 */
export function pkcs8Pem(key: KeyObject): string {
  const der = pkcs8Der(key);
  if (der === null) return key.export({ type: 'pkcs8', format: 'pem' }).toString();
  return toPem('PRIVATE KEY', der);
}

/** The PKCS#8 DER of an EC or Ed25519 private key (RFC 5208, 5915, 8410); null for others. */
function pkcs8Der(key: KeyObject): Buffer | null {
  const keyType = keyTypeOf(key);
  if (keyType !== 'P-256' && keyType !== 'P-384' && keyType !== 'Ed25519') return null;
  const jwk = key.export({ format: 'jwk' });
  const b64 = (v: string | undefined): Buffer => Buffer.from(v ?? '', 'base64url');
  if (keyType === 'Ed25519') return seq(int(0), seq(ED25519), octets(octets(b64(jwk.d))));
  // RFC 5915 ECPrivateKey without the parameters (they are in the AlgorithmIdentifier), with
  // the public key, as OpenSSL writes it; JWK gives d, x and y at the field's full length.
  const point = Buffer.concat([Buffer.from([4]), b64(jwk.x), b64(jwk.y)]);
  const ecPrivateKey = seq(int(1), octets(b64(jwk.d)), explicit(1, bitString(point)));
  const curve = keyType === 'P-256' ? P256 : P384;
  return seq(int(0), seq(EC_PUBLIC_KEY, curve), octets(ecPrivateKey));
}

/**
 * Parses a private key PEM (PKCS#8, or the traditional EC/RSA forms, normalised later).
 *
 * @throws CAS_SECRETS_INVALID_VALUE when it does not parse; the message names the secret only.
 */
export function parsePrivateKeyPem(pem: string, secretName: string): KeyObject {
  try {
    const key = createPrivateKey({ key: pem, format: 'pem' });
    if (key.type !== 'private') throw new Error('not a private key');
    return key;
  } catch (cause) {
    throw new CasError(
      'CAS_SECRETS_INVALID_VALUE',
      `secret '${secretName}': the value is not a PEM private key`,
      { cause: redactCause(cause) },
    );
  }
}

/** A cause without the parser's message, which could quote input. */
export function redactCause(cause: unknown): Error {
  return new Error(cause instanceof Error ? cause.name : 'parse error');
}
