import { CasError } from '../../errors/cas-error.js';
import type { SecretKey } from '../secret-key.js';
import { associatedData, gcmDecrypt, gcmEncrypt } from './aes-gcm.js';

/** Format byte of a barrier value; a new format gets a new byte, old ones stay readable. */
const FORMAT_V1 = 0x01;
const HEADER_BYTES = 1 + 4;

/**
 * Associated data of a value: the physical storage key, the row version it is written as, and
 * the key version that encrypts it. A ciphertext therefore cannot be moved to another row, nor
 * put back into its own row under a version number other than the one it was written with.
 */
function valueAad(physicalKey: string, rowVersion: number, keyVersion: number): Buffer {
  return associatedData('cas-barrier-v1', [
    Buffer.from(physicalKey, 'utf8'),
    { u64: rowVersion },
    { u32: keyVersion },
  ]);
}

/** Encrypts a value: `0x01 ‖ key version (u32) ‖ nonce ‖ ciphertext ‖ tag`. */
export function encryptValue(
  plaintext: Uint8Array,
  term: { readonly version: number; readonly key: SecretKey },
  physicalKey: string,
  rowVersion: number,
): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = FORMAT_V1;
  header.writeUInt32BE(term.version, 1);
  const sealed = gcmEncrypt(
    term.key.bytes,
    plaintext,
    valueAad(physicalKey, rowVersion, term.version),
  );
  return Buffer.concat([header, sealed]);
}

/**
 * The key version a stored value names in its header.
 *
 * @throws CAS_STORE_INTEGRITY for an unknown format.
 */
export function keyVersionOf(stored: Uint8Array, physicalKey: string): number {
  if (stored.length < HEADER_BYTES || stored[0] !== FORMAT_V1) {
    throw integrity(physicalKey, 'unknown value format');
  }
  return Buffer.from(stored.buffer, stored.byteOffset, stored.length).readUInt32BE(1);
}

/**
 * Decrypts a stored value of the row `physicalKey` at `rowVersion`.
 *
 * @throws CAS_STORE_INTEGRITY when authentication fails.
 */
export function decryptValue(
  stored: Uint8Array,
  key: SecretKey,
  physicalKey: string,
  rowVersion: number,
): Uint8Array {
  const keyVersion = keyVersionOf(stored, physicalKey);
  const plain = gcmDecrypt(
    key.bytes,
    stored.subarray(HEADER_BYTES),
    valueAad(physicalKey, rowVersion, keyVersion),
  );
  if (plain === null) {
    throw integrity(physicalKey, 'authentication failed (tampered, swapped or replayed)');
  }
  return new Uint8Array(plain.buffer, plain.byteOffset, plain.length);
}

function integrity(physicalKey: string, why: string): CasError {
  // The storage key is named (it is stored in clear anyway) so the operator finds the row.
  return new CasError('CAS_STORE_INTEGRITY', `stored value of ${physicalKey}: ${why}`);
}
