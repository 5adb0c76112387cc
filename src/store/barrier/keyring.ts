import { createHmac, timingSafeEqual } from 'node:crypto';
import { CasError } from '../../errors/cas-error.js';
import { SecretKey } from '../secret-key.js';
import { associatedData, gcmDecrypt, gcmEncrypt } from './aes-gcm.js';

/** One data key of the keyring. */
export interface KeyringTerm {
  readonly version: number;
  /** When the term was added (ms since the epoch), for `describe()` and rotation policy. */
  readonly createdAt: number;
  readonly key: SecretKey;
}

const MAGIC = Buffer.from('CKR1', 'ascii');
const CHECK_BYTES = 32;
const TERM_BYTES = 4 + 8 + 32;

/**
 * A value that tells a wrong database key apart from a tampered keyring: HMAC of a fixed label
 * under the database key. It reveals nothing about a 256-bit key.
 */
function keyCheck(databaseKey: SecretKey): Buffer {
  return createHmac('sha256', databaseKey.bytes).update('cas-keyring-check-v1').digest();
}

function keyringAad(physicalKey: string, rowVersion: number): Buffer {
  return associatedData('cas-keyring-v1', [Buffer.from(physicalKey, 'utf8'), { u64: rowVersion }]);
}

/**
 * Encrypts the keyring under the database key for the row `physicalKey` at `rowVersion`:
 * `CKR1 ‖ key check ‖ AES-256-GCM(count ‖ (version ‖ createdAt ‖ key)*)`.
 */
export function encodeKeyring(
  terms: readonly KeyringTerm[],
  databaseKey: SecretKey,
  physicalKey: string,
  rowVersion: number,
): Buffer {
  const plain = Buffer.alloc(4 + terms.length * TERM_BYTES);
  plain.writeUInt32BE(terms.length, 0);
  terms.forEach((term, i) => {
    const at = 4 + i * TERM_BYTES;
    plain.writeUInt32BE(term.version, at);
    plain.writeDoubleBE(term.createdAt, at + 4);
    plain.set(term.key.bytes, at + 12);
  });
  try {
    const sealed = gcmEncrypt(databaseKey.bytes, plain, keyringAad(physicalKey, rowVersion));
    return Buffer.concat([MAGIC, keyCheck(databaseKey), sealed]);
  } finally {
    plain.fill(0);
  }
}

/**
 * Decrypts a keyring row.
 *
 * @throws CAS_STORE_WRONG_KEY when the database key is not this database's;
 *   CAS_STORE_INTEGRITY when the row was tampered with, moved or replayed.
 */
export function decodeKeyring(
  value: Uint8Array,
  databaseKey: SecretKey,
  physicalKey: string,
  rowVersion: number,
): KeyringTerm[] {
  const bytes = Buffer.from(value);
  if (bytes.length < MAGIC.length + CHECK_BYTES || !bytes.subarray(0, 4).equals(MAGIC)) {
    throw new CasError('CAS_STORE_INTEGRITY', 'the keyring row is not a keyring');
  }
  const check = bytes.subarray(4, 4 + CHECK_BYTES);
  if (!timingSafeEqual(check, keyCheck(databaseKey))) {
    throw new CasError(
      'CAS_STORE_WRONG_KEY',
      'the database key does not open this database (was a different key injected, or the key store of another database used?)',
    );
  }
  const plain = gcmDecrypt(
    databaseKey.bytes,
    bytes.subarray(4 + CHECK_BYTES),
    keyringAad(physicalKey, rowVersion),
  );
  if (plain === null || plain.length < 4) {
    throw new CasError('CAS_STORE_INTEGRITY', 'the keyring failed authentication (tampered)');
  }
  try {
    const count = plain.readUInt32BE(0);
    if (plain.length !== 4 + count * TERM_BYTES || count === 0) {
      throw new CasError('CAS_STORE_INTEGRITY', 'the keyring is malformed');
    }
    const terms: KeyringTerm[] = [];
    for (let i = 0; i < count; i += 1) {
      const at = 4 + i * TERM_BYTES;
      terms.push({
        version: plain.readUInt32BE(at),
        createdAt: plain.readDoubleBE(at + 4),
        key: new SecretKey(plain.subarray(at + 12, at + TERM_BYTES)),
      });
    }
    return terms;
  } finally {
    plain.fill(0);
  }
}
