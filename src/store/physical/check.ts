import { CasError } from '../../errors/cas-error.js';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES, type ListOptions } from './physical.js';

/** With the u flag, a valid surrogate pair is one code point; only a lone half matches. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The UTF-8 bytes of a storage key, after checking it: non-empty, well-formed UTF-16 (a lone
 * surrogate would not survive the round trip through UTF-8), at most {@link MAX_KEY_BYTES}.
 *
 * @throws CAS_STORE_KEY_INVALID
 */
export function keyBytes(key: string): Buffer {
  if (typeof key !== 'string' || key.length === 0 || LONE_SURROGATE.test(key)) {
    throw new CasError(
      'CAS_STORE_KEY_INVALID',
      'a storage key must be non-empty, well-formed text',
    );
  }
  const bytes = Buffer.from(key, 'utf8');
  if (bytes.length > MAX_KEY_BYTES) {
    throw new CasError(
      'CAS_STORE_KEY_INVALID',
      `a storage key is at most ${MAX_KEY_BYTES} bytes (got ${bytes.length})`,
    );
  }
  return bytes;
}

/**
 * Checks a value's size and returns it as a Buffer view (no copy).
 *
 * @throws CAS_STORE_VALUE_TOO_LARGE
 */
export function valueBytes(value: Uint8Array): Buffer {
  if (!(value instanceof Uint8Array)) throw new TypeError('a stored value must be a Uint8Array');
  if (value.length > MAX_VALUE_BYTES) {
    throw new CasError(
      'CAS_STORE_VALUE_TOO_LARGE',
      `a stored value is at most ${MAX_VALUE_BYTES} bytes (got ${value.length})`,
    );
  }
  return Buffer.from(value.buffer, value.byteOffset, value.length);
}

/**
 * The smallest byte string greater than every string that starts with `prefix`, or null when
 * there is none (empty prefix, or all 0xff). Range scans use it instead of LIKE, so no
 * character of a prefix is ever a wildcard.
 */
export function prefixUpperBound(prefix: Buffer): Buffer | null {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end -= 1;
  if (end === 0) return null;
  const bound = Buffer.from(prefix.subarray(0, end));
  bound[end - 1] = bound[end - 1]! + 1;
  return bound;
}

/** Validated list options: the prefix and `after` as bytes, the limit as a positive integer. */
export interface ListRange {
  readonly prefix: Buffer;
  readonly upper: Buffer | null;
  readonly after: Buffer | null;
  readonly limit: number | null;
}

/** Validates the arguments of a `list` call. */
export function listRange(prefix: string, options: ListOptions = {}): ListRange {
  if (typeof prefix !== 'string' || LONE_SURROGATE.test(prefix)) {
    throw new CasError('CAS_STORE_KEY_INVALID', 'a list prefix must be well-formed text');
  }
  const limit = options.limit ?? null;
  if (limit !== null && (!Number.isSafeInteger(limit) || limit < 1)) {
    throw new RangeError('list limit must be a positive integer');
  }
  const bytes = Buffer.from(prefix, 'utf8');
  return {
    prefix: bytes,
    upper: prefixUpperBound(bytes),
    after: options.after === undefined ? null : keyBytes(options.after),
    limit,
  };
}

/** Checks an expected row version of compareAndSet. */
export function checkVersion(version: number): void {
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new RangeError('a row version is a non-negative integer');
  }
}
