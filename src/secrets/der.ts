/**
 * A minimal DER encoder for the few structures this layer builds by hand (PKCS#12, X.509
 * certificates). Lengths use the definite short or long form, as DER requires.
 */

/** One TLV with the given tag byte and content. */
export function tlv(tag: number, content: Uint8Array): Buffer {
  return tlvOf(tag, [content]);
}

/** SEQUENCE of the encoded elements. */
export function seq(...items: Uint8Array[]): Buffer {
  return tlvOf(0x30, items);
}

/** One TLV whose content is the concatenation of parts, written in a single allocation. */
function tlvOf(tag: number, parts: readonly Uint8Array[]): Buffer {
  let n = 0;
  for (const p of parts) n += p.length;
  let lenBytes = 0;
  if (n >= 0x80) for (let v = n; v > 0; v = Math.floor(v / 256)) lenBytes++;
  const out = Buffer.allocUnsafe(2 + lenBytes + n);
  out[0] = tag;
  if (lenBytes === 0) {
    out[1] = n;
  } else {
    out[1] = 0x80 | lenBytes;
    for (let i = lenBytes, v = n; i > 0; i--, v = Math.floor(v / 256)) out[1 + i] = v & 0xff;
  }
  let at = 2 + lenBytes;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** SET OF the encoded elements, sorted as DER requires. */
export function setOf(...items: Uint8Array[]): Buffer {
  return tlvOf(
    0x31,
    [...items].sort((a, b) => Buffer.compare(a, b)),
  );
}

/** OCTET STRING. */
export function octets(content: Uint8Array): Buffer {
  return tlv(0x04, content);
}

/** [n] EXPLICIT, constructed context tag. */
export function explicit(n: number, inner: Uint8Array): Buffer {
  return tlv(0xa0 | n, inner);
}

/** A small non-negative INTEGER. */
export function int(value: number): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  if (bytes.length === 0 || (bytes[0]! & 0x80) !== 0) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

/** NULL. */
export const NULL = Buffer.from([0x05, 0x00]);

/** OBJECT IDENTIFIER from dotted text. */
export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128))
      chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** BOOLEAN TRUE (DER encodes it as 0xff). */
export const TRUE = Buffer.from([0x01, 0x01, 0xff]);

/**
 * A non-negative INTEGER from its unsigned big-endian bytes: redundant leading zeros are
 * stripped, and a 0x00 is prepended when the high bit is set so the value stays positive.
 */
export function uint(bytes: Uint8Array): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const body = bytes.length === 0 ? Buffer.from([0]) : bytes.subarray(i);
  return tlvOf(0x02, (body[0]! & 0x80) !== 0 ? [Buffer.from([0]), body] : [body]);
}

/** BIT STRING of whole bytes whose last `unusedBits` bits are padding. */
export function bitString(content: Uint8Array, unusedBits = 0): Buffer {
  return tlvOf(0x03, [Buffer.from([unusedBits]), content]);
}

/** UTF8String. */
export function utf8(text: string): Buffer {
  return tlv(0x0c, Buffer.from(text, 'utf8'));
}

/**
 * An X.509 Time (RFC 5280 §4.1.2.5): UTCTime for the years 1950 to 2049, GeneralizedTime
 * otherwise, both in UTC to the second with `Z` (milliseconds are dropped).
 *
 * @throws RangeError for an invalid date or a year outside 0 to 9999.
 */
export function x509Time(date: Date): Buffer {
  const year = date.getUTCFullYear();
  if (Number.isNaN(year) || year < 0 || year > 9999) throw new RangeError('date out of range');
  const two = (n: number): string => String(n).padStart(2, '0');
  const rest =
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds()) +
    'Z';
  return year >= 1950 && year <= 2049
    ? tlv(0x17, Buffer.from(two(year % 100) + rest, 'latin1'))
    : tlv(0x18, Buffer.from(String(year).padStart(4, '0') + rest, 'latin1'));
}
