import { CasError } from '../../errors/cas-error.js';
import type { CasErrorCode } from '../../errors/codes.js';

/**
 * A minimal, bounds-checked DER reader: just enough of X.509 and CRLs for the Intel checks
 * (names, validity, serials, extensions, TBS bytes). Every read checks its bounds and throws a
 * CasError with the caller's code, so hostile input never crashes a verifier.
 */
export interface DerNode {
  readonly tag: number;
  /** Offset of the tag byte in `buf`. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset just past the content. */
  readonly end: number;
  readonly buf: Uint8Array;
}

/** Reads one TLV at `offset`, refusing indefinite or overlong lengths. */
export function readDer(
  buf: Uint8Array,
  offset: number,
  code: CasErrorCode,
  limit = buf.length,
): DerNode {
  const fail = (why: string): never => {
    throw new CasError(code, `DER structure is malformed: ${why}.`);
  };
  if (offset + 2 > limit) fail('truncated header');
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) fail('multi-byte tags are not used here');
  let length = buf[offset + 1] as number;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) fail('unsupported length form');
    if (contentStart + count > limit) fail('truncated length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (buf[contentStart + i] as number);
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) fail('content runs past its container');
  return { tag, start: offset, contentStart, end, buf };
}

/** The children of a constructed node, in order. */
export function derChildren(node: DerNode, code: CasErrorCode): DerNode[] {
  const out: DerNode[] = [];
  let at = node.contentStart;
  while (at < node.end) {
    const child = readDer(node.buf, at, code, node.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** The content bytes of a node. */
export function derContent(node: DerNode): Uint8Array {
  return node.buf.subarray(node.contentStart, node.end);
}

/** The whole TLV bytes of a node. */
export function derBytes(node: DerNode): Uint8Array {
  return node.buf.subarray(node.start, node.end);
}

/** Requires a node to have the given tag. */
export function expectTag(
  node: DerNode | undefined,
  tag: number,
  code: CasErrorCode,
  what: string,
): DerNode {
  if (node?.tag !== tag) throw new CasError(code, `DER structure is malformed: expected ${what}.`);
  return node;
}

/** Decodes an OBJECT IDENTIFIER's content to dotted form. */
export function derOid(node: DerNode, code: CasErrorCode): string {
  const bytes = derContent(expectTag(node, 0x06, code, 'an object identifier'));
  if (bytes.length === 0) throw new CasError(code, 'DER structure is malformed: empty OID.');
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 256) throw new CasError(code, 'DER OID arc too large.');
    if ((b & 0x80) === 0) {
      if (parts.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        parts.push(first, value - first * 40);
      } else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** Decodes a small non-negative INTEGER or ENUMERATED (SVNs and the like). */
export function derSmallInt(node: DerNode, code: CasErrorCode): number {
  if (node.tag !== 0x02 && node.tag !== 0x0a) throw new CasError(code, 'DER: expected an integer.');
  const bytes = derContent(node);
  if (bytes.length === 0 || bytes.length > 4 || ((bytes[0] as number) & 0x80) !== 0) {
    throw new CasError(code, 'DER: integer out of range.');
  }
  let value = 0;
  for (const b of bytes) value = value * 256 + b;
  return value;
}

/** A serial number as lowercase hex without leading zero bytes, for comparisons. */
export function derSerialHex(node: DerNode, code: CasErrorCode): string {
  const hex = Buffer.from(derContent(expectTag(node, 0x02, code, 'a serial number'))).toString(
    'hex',
  );
  return hex.replace(/^(00)+(?=.)/, '');
}

/** Decodes UTCTime or GeneralizedTime (the only forms X.509 and CRLs use) to a Date. */
export function derTime(node: DerNode, code: CasErrorCode): Date {
  const text = Buffer.from(derContent(node)).toString('latin1');
  let match: RegExpExecArray | null;
  let year: number;
  if (node.tag === 0x17 && (match = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text))) {
    const yy = Number(match[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (node.tag === 0x18 && (match = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text))) {
    year = Number(match[1]);
  } else {
    throw new CasError(code, 'DER: expected a UTC or generalized time.');
  }
  const [mo = 0, d = 0, h = 0, mi = 0, s = 0] = match.slice(2).map(Number);
  const date = new Date(Date.UTC(year, mo - 1, d, h, mi, s));
  // Date.UTC rolls over out-of-range fields (month 13, second 61); such a time is malformed
  if (
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    date.getUTCHours() !== h ||
    date.getUTCSeconds() !== s
  ) {
    throw new CasError(code, 'DER: invalid time.');
  }
  return date;
}
