import { randomBytes, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

/**
 * Key material that must not leak: held in its own (unpooled) Buffer, never serialised or
 * printed (`toJSON`, `toString` and `util.inspect` say `[redacted]`), compared in constant time,
 * and zeroed by {@link dispose}.
 */
export class SecretKey {
  #bytes: Buffer | null;

  /** Copies `bytes`; the caller may zero its own copy afterwards. */
  constructor(bytes: Uint8Array) {
    this.#bytes = Buffer.alloc(bytes.length);
    this.#bytes.set(bytes);
  }

  /** A fresh random key of `length` bytes (default 32, AES-256). */
  static generate(length = 32): SecretKey {
    const bytes = randomBytes(length);
    const key = new SecretKey(bytes);
    bytes.fill(0);
    return key;
  }

  /** The key bytes themselves, for a crypto call. Do not keep or copy them. */
  get bytes(): Buffer {
    if (this.#bytes === null) throw new Error('the key was disposed');
    return this.#bytes;
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Constant-time comparison with other key bytes. */
  equals(other: SecretKey | Uint8Array): boolean {
    const theirs = other instanceof SecretKey ? other.bytes : other;
    return theirs.length === this.bytes.length && timingSafeEqual(theirs, this.bytes);
  }

  /** Zeroes the bytes; later use throws. */
  dispose(): void {
    this.#bytes?.fill(0);
    this.#bytes = null;
  }

  toJSON(): string {
    return '[redacted]';
  }

  toString(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'SecretKey [redacted]';
  }
}
