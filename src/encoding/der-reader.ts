import { CasError } from '../errors/cas-error.js';
import type { CasErrorCode } from '../errors/codes.js';

/**
 * The one DER reader of the CAS: just enough of X.509, CRLs and the TEE vendors' extensions to
 * walk certificates, names, validity, serials and small values. Lengths must be definite and
 * fit their container; every read is bounds-checked and a malformed input ends in a CasError
 * with the caller's code (the caller knows whether the bytes are evidence or collateral), never
 * in an out-of-range read or a different exception.
 */
export interface DerNode {
  readonly tag: number;
  /** Offset of the tag byte in `buf`. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset just past the content (and so past the whole element). */
  readonly end: number;
  readonly buf: Uint8Array;
}

function malformed(code: CasErrorCode, why: string): never {
  throw new CasError(code, `DER structure is malformed: ${why}.`);
}

/**
 * Reads one TLV at `offset` that must end by `limit`, refusing multi-byte tags, the indefinite
 * length form and lengths of more than four bytes.
 * @throws CasError `code`
 */
export function readDer(
  buf: Uint8Array,
  offset: number,
  code: CasErrorCode,
  limit = buf.length,
): DerNode {
  if (offset < 0 || limit > buf.length || offset + 2 > limit) malformed(code, 'truncated header');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) malformed(code, 'multi-byte tags are not used here');
  let length = buf[offset + 1]!;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    // count 0 is the indefinite form, which DER forbids
    if (count === 0 || count > 4) malformed(code, 'unsupported length form');
    if (contentStart + count > limit) malformed(code, 'truncated length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[contentStart + i]!;
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) malformed(code, 'content runs past its container');
  return { tag, start: offset, contentStart, end, buf };
}

/**
 * Reads `buf` as exactly one TLV: bytes after it are refused.
 * @throws CasError `code`
 */
export function readDerExact(buf: Uint8Array, code: CasErrorCode): DerNode {
  const node = readDer(buf, 0, code);
  if (node.end !== buf.length) malformed(code, 'trailing bytes');
  return node;
}

/**
 * The children of a constructed node, in order; they must fill it exactly.
 * @throws CasError `code`
 */
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

/** The content bytes of a node (a view into the input, not a copy). */
export function derContent(node: DerNode): Uint8Array {
  return node.buf.subarray(node.contentStart, node.end);
}

/** The whole TLV bytes of a node (a view into the input, not a copy). */
export function derBytes(node: DerNode): Uint8Array {
  return node.buf.subarray(node.start, node.end);
}

/**
 * Requires a node to be present and to have the given tag; `what` names it in the message.
 * @throws CasError `code`
 */
export function expectTag(
  node: DerNode | undefined,
  tag: number,
  code: CasErrorCode,
  what: string,
): DerNode {
  if (node?.tag !== tag) malformed(code, `expected ${what}`);
  return node;
}

/**
 * Decodes an OBJECT IDENTIFIER to dotted form. An empty OID, an arc that does not fit a safe
 * integer or a last arc left open (continuation bit set) is refused.
 * @throws CasError `code`
 */
export function derOid(node: DerNode, code: CasErrorCode): string {
  const bytes = derContent(expectTag(node, 0x06, code, 'an object identifier'));
  if (bytes.length === 0) throw new CasError(code, 'DER structure is malformed: empty OID.');
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new CasError(code, 'DER OID arc too large.');
    if ((b & 0x80) === 0) {
      if (parts.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        parts.push(first, value - first * 40);
      } else parts.push(value);
      value = 0;
    }
  }
  if ((bytes[bytes.length - 1]! & 0x80) !== 0) malformed(code, 'unterminated OID arc');
  return parts.join('.');
}

/**
 * Decodes a small non-negative INTEGER or ENUMERATED (SVNs, SPLs and the like) of at most four
 * content bytes.
 * @throws CasError `code`
 */
export function derSmallInt(node: DerNode, code: CasErrorCode): number {
  if (node.tag !== 0x02 && node.tag !== 0x0a) throw new CasError(code, 'DER: expected an integer.');
  const bytes = derContent(node);
  if (bytes.length === 0 || bytes.length > 4 || (bytes[0]! & 0x80) !== 0) {
    throw new CasError(code, 'DER: integer out of range.');
  }
  let value = 0;
  for (const b of bytes) value = value * 256 + b;
  return value;
}

/**
 * A serial number as lowercase hex without leading zero bytes, for comparisons.
 * @throws CasError `code`
 */
export function derSerialHex(node: DerNode, code: CasErrorCode): string {
  const content = derContent(expectTag(node, 0x02, code, 'a serial number'));
  return Buffer.from(content)
    .toString('hex')
    .replace(/^(00)+(?=.)/, '');
}

/**
 * Decodes UTCTime or GeneralizedTime (the only forms X.509 and CRLs use, in their `Z` form) to
 * a Date; out-of-range fields (month 13, second 61) are refused rather than rolled over.
 * @throws CasError `code`
 */
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
  if (
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    date.getUTCHours() !== h ||
    date.getUTCMinutes() !== mi ||
    date.getUTCSeconds() !== s
  ) {
    throw new CasError(code, 'DER: invalid time.');
  }
  return date;
}
