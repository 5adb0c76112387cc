import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Nonce and tag sizes of AES-256-GCM as used throughout the store. */
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/** AES-256-GCM with a fresh random 96-bit nonce: returns nonce ‖ ciphertext ‖ tag. */
export function gcmEncrypt(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** Opens nonce ‖ ciphertext ‖ tag; returns null when authentication fails. */
export function gcmDecrypt(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer | null {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) return null;
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const out = decipher.update(body);
  try {
    return Buffer.concat([out, decipher.final()]);
  } catch {
    return null;
  } finally {
    // The partial plaintext is either copied into the result or unauthenticated: wipe it.
    out.fill(0);
  }
}

/**
 * Unambiguous associated data: a label, then each part length-prefixed (u32) or as a fixed-width
 * integer, so that no two different tuples encode to the same bytes.
 */
export function associatedData(
  label: string,
  parts: readonly (Uint8Array | { readonly u32: number } | { readonly u64: number })[],
): Buffer {
  const chunks: Buffer[] = [Buffer.from(`${label}\0`, 'utf8')];
  for (const part of parts) {
    if (part instanceof Uint8Array) {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(part.length);
      chunks.push(length, Buffer.from(part));
    } else if ('u32' in part) {
      const n = Buffer.alloc(4);
      n.writeUInt32BE(part.u32);
      chunks.push(n);
    } else {
      const n = Buffer.alloc(8);
      n.writeBigUInt64BE(BigInt(part.u64));
      chunks.push(n);
    }
  }
  return Buffer.concat(chunks);
}
