/**
 * A minimal, bounds-checked DER reader: just enough to walk an X.509 certificate to its
 * signature algorithm and extensions, and to read the small values AMD puts in VCEK
 * extensions. Every read checks the length against the enclosing element, so malformed input
 * ends in `null`, never in an out-of-range read.
 */

/** One tag-length-value element; `start`/`end` delimit the contents inside `bytes`. */
export interface DerElement {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
  /** Offset just past this element (same as `end`). */
  readonly next: number;
  readonly bytes: Uint8Array;
}

/** Reads the element at `offset` that must end by `limit`; null when malformed. */
export function readDer(bytes: Uint8Array, offset = 0, limit = bytes.length): DerElement | null {
  if (offset < 0 || offset + 2 > limit || limit > bytes.length) return null;
  const tag = bytes[offset]!;
  // Multi-byte tags do not occur in the structures we read.
  if ((tag & 0x1f) === 0x1f) return null;
  let length = bytes[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) return null;
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + bytes[start + i]!;
    start += count;
  }
  const end = start + length;
  if (end > limit) return null;
  return { tag, start, end, next: end, bytes };
}

/** The elements directly inside a constructed element; null when any is malformed. */
export function derChildren(element: DerElement): DerElement[] | null {
  const children: DerElement[] = [];
  let offset = element.start;
  while (offset < element.end) {
    const child = readDer(element.bytes, offset, element.end);
    if (child === null) return null;
    children.push(child);
    offset = child.next;
  }
  return children;
}

/** The contents of an element as a copy. */
export function derContents(element: DerElement): Uint8Array {
  return element.bytes.slice(element.start, element.end);
}

/** Decodes an OBJECT IDENTIFIER element to dotted form; null when malformed. */
export function derOid(element: DerElement): string | null {
  if (element.tag !== 0x06 || element.end === element.start) return null;
  const parts: number[] = [];
  let value = 0;
  for (let i = element.start; i < element.end; i += 1) {
    const byte = element.bytes[i]!;
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) return null;
    if ((byte & 0x80) === 0) {
      if (parts.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        parts.push(first, value - first * 40);
      } else {
        parts.push(value);
      }
      value = 0;
    }
  }
  if ((element.bytes[element.end - 1]! & 0x80) !== 0) return null;
  return parts.join('.');
}

/** Decodes a non-negative INTEGER element up to 2^53; null when malformed or negative. */
export function derSmallInteger(element: DerElement): number | null {
  if (element.tag !== 0x02 || element.end === element.start) return null;
  if ((element.bytes[element.start]! & 0x80) !== 0) return null;
  if (element.end - element.start > 7) return null;
  let value = 0;
  for (let i = element.start; i < element.end; i += 1) value = value * 256 + element.bytes[i]!;
  return value;
}
