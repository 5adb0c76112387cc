/**
 * A minimal DER encoder for the few structures this layer builds by hand (PKCS#12). Lengths
 * use the definite short or long form, as DER requires.
 */

/** One TLV with the given tag byte and content. */
export function tlv(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  let len: Buffer;
  if (n < 0x80) {
    len = Buffer.from([n]);
  } else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

/** SEQUENCE of the encoded elements. */
export function seq(...items: Uint8Array[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

/** SET OF the encoded elements, sorted as DER requires. */
export function setOf(...items: Uint8Array[]): Buffer {
  const sorted = [...items].map((i) => Buffer.from(i)).sort((a, b) => Buffer.compare(a, b));
  return tlv(0x31, Buffer.concat(sorted));
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
