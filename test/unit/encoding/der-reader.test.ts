import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  derBytes,
  derChildren,
  derContent,
  derOid,
  derSerialHex,
  derSmallInt,
  derTime,
  expectTag,
  readDer,
  readDerExact,
  type DerNode,
} from '../../../src/encoding/der-reader.js';
import { CasError } from '../../../src/errors/cas-error.js';
import type { CasErrorCode } from '../../../src/errors/codes.js';

const EVIDENCE: CasErrorCode = 'CAS_ATTESTATION_EVIDENCE_MALFORMED';
const CRL: CasErrorCode = 'CAS_ATTESTATION_CRL_INVALID';

const bytes = (...b: number[]) => Uint8Array.from(b);
const node = (...b: number[]) => readDer(bytes(...b), 0, EVIDENCE);

/** Minimal definite-length DER encoding of one TLV, as every CA writes it. */
function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const len: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) len.unshift(v % 256);
  const header = n < 0x80 ? [tag, n] : [tag, 0x80 | len.length, ...len];
  return Uint8Array.from([...header, ...content]);
}

function throwsWith(code: CasErrorCode, fragment: string) {
  return (e: unknown) => {
    assert.ok(e instanceof CasError, `a CasError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.ok(e.message.includes(fragment), `"${e.message}" mentions "${fragment}"`);
    return true;
  };
}

test('malformed DER is refused with the caller’s code and says why', () => {
  const rows: [string, () => unknown, CasErrorCode, string][] = [
    ['empty input', () => readDer(bytes(), 0, EVIDENCE), EVIDENCE, 'truncated header'],
    ['a tag without a length', () => readDer(bytes(0x30), 0, CRL), CRL, 'truncated header'],
    ['a negative offset', () => readDer(bytes(5, 0), -1, CRL), CRL, 'truncated header'],
    ['a limit past the buffer', () => readDer(bytes(5, 0), 0, CRL, 3), CRL, 'truncated header'],
    ['a multi-byte tag', () => node(0x1f, 0x01, 0x00), EVIDENCE, 'multi-byte tags'],
    ['a truncated long length', () => node(0x30, 0x82, 0x01), EVIDENCE, 'truncated length'],
    ['the indefinite length', () => node(0x30, 0x80, 0, 0), EVIDENCE, 'unsupported length form'],
    ['a five-byte length', () => node(4, 0x85, 0, 0, 0, 0, 1, 0), EVIDENCE, 'unsupported length'],
    [
      'a length of 4 GiB',
      () => readDer(bytes(0x04, 0x84, 0xff, 0xff, 0xff, 0xff), 0, CRL),
      CRL,
      'content runs past its container',
    ],
    ['truncated content', () => node(0x04, 0x03, 0x01), EVIDENCE, 'runs past its container'],
    [
      'content past the given limit',
      () => readDer(bytes(0x04, 0x02, 1, 2), 0, CRL, 3),
      CRL,
      'runs past its container',
    ],
    [
      'a child running past its parent',
      () => derChildren(node(0x30, 0x03, 0x04, 0x05, 0x00, 0, 0, 0, 0), CRL),
      CRL,
      'runs past its container',
    ],
    ['trailing bytes', () => readDerExact(bytes(0x05, 0x00, 0x00), CRL), CRL, 'trailing bytes'],
    ['a wrong tag', () => expectTag(node(5, 0), 0x30, CRL, 'a CRL'), CRL, 'expected a CRL'],
    ['a missing node', () => expectTag(undefined, 0x30, CRL, 'a CRL'), CRL, 'expected a CRL'],
    ['an empty OID', () => derOid(node(0x06, 0), CRL), CRL, 'empty OID'],
    ['an OID arc left open', () => derOid(node(0x06, 2, 0x2a, 0x81), CRL), CRL, 'unterminated'],
    [
      'an OID arc past 2^46',
      () => derOid(node(0x06, 8, ...Array<number>(7).fill(0xff), 0x7f), CRL),
      CRL,
      'arc too large',
    ],
    ['an integer with no bytes', () => derSmallInt(node(2, 0), CRL), CRL, 'out of range'],
    ['a negative integer', () => derSmallInt(node(2, 1, 0x80), CRL), CRL, 'out of range'],
    ['a five-byte integer', () => derSmallInt(node(2, 5, 1, 0, 0, 0, 0), CRL), CRL, 'range'],
    ['an integer of another tag', () => derSmallInt(node(4, 1, 1), CRL), CRL, 'an integer'],
    ['a serial of another tag', () => derSerialHex(node(4, 1, 1), CRL), CRL, 'a serial'],
    [
      'a time in month 13',
      () => derTime(readDer(tlv(0x17, Buffer.from('251301000000Z')), 0, CRL), CRL),
      CRL,
      'invalid time',
    ],
    [
      'a time without Z',
      () => derTime(readDer(tlv(0x18, Buffer.from('20250101000000')), 0, CRL), CRL),
      CRL,
      'expected a UTC or generalized time',
    ],
  ];
  for (const [name, run, code, fragment] of rows) {
    assert.throws(run, throwsWith(code, fragment), name);
  }
});

test('well-formed values decode', () => {
  const long = tlv(0x04, new Uint8Array(300).fill(7));
  const read = readDerExact(long, CRL);
  assert.deepEqual([read.tag, read.start, read.contentStart, read.end], [0x04, 0, 4, 304]);
  assert.equal(derContent(read).length, 300);
  assert.deepEqual(derBytes(read), long);
  // the SGX extension arc of a PCK certificate
  const oid = bytes(0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01, 0x04);
  assert.equal(derOid(readDerExact(oid, CRL), CRL), '1.2.840.113741.1.13.1.4');
  assert.equal(derOid(node(0x06, 0x03, 0x88, 0x37, 0x03), EVIDENCE), '2.999.3');
});

test('small integers, serials and times decode', () => {
  assert.equal(derSmallInt(node(0x02, 1, 13), CRL), 13);
  assert.equal(derSmallInt(node(0x0a, 2, 0x00, 0xff), CRL), 255);
  assert.equal(derSmallInt(node(0x02, 4, 0x7f, 0xff, 0xff, 0xff), CRL), 0x7fffffff);
  assert.equal(derSerialHex(node(0x02, 3, 0, 0, 0xab), CRL), 'ab');
  assert.equal(derSerialHex(node(0x02, 2, 0, 0), CRL), '00');
  const utc = (text: string) => derTime(readDer(tlv(0x17, Buffer.from(text)), 0, CRL), CRL);
  assert.equal(utc('491231235959Z').toISOString(), '2049-12-31T23:59:59.000Z');
  assert.equal(utc('500101000000Z').toISOString(), '1950-01-01T00:00:00.000Z');
  const gen = derTime(readDer(tlv(0x18, Buffer.from('20520229120000Z')), 0, CRL), CRL);
  assert.equal(gen.toISOString(), '2052-02-29T12:00:00.000Z');
});

/** Reads every node of a tree and every decoder on every leaf; returns the node count. */
function walk(n: DerNode, code: CasErrorCode, depth = 0): number {
  assert.ok(n.start < n.contentStart && n.contentStart <= n.end && n.end <= n.buf.length);
  let count = 1;
  for (const decode of [derOid, derSmallInt, derSerialHex, derTime]) {
    try {
      decode(n, code);
    } catch (e) {
      if (!(e instanceof CasError && e.code === code)) throw e;
    }
  }
  if ((n.tag & 0x20) !== 0 && depth < 64) {
    for (const child of derChildren(n, code)) count += walk(child, code, depth + 1);
  }
  return count;
}

test('random bytes never throw anything but a CasError with the caller’s code', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 64 }),
      fc.integer({ min: -2, max: 70 }),
      fc.integer({ min: 0, max: 70 }),
      (buf, offset, limit) => {
        for (const run of [
          () => walk(readDer(buf, offset, CRL, limit), CRL),
          () => walk(readDerExact(buf, CRL), CRL),
        ]) {
          try {
            run();
          } catch (e) {
            if (!(e instanceof CasError && e.code === CRL)) throw e;
          }
        }
      },
    ),
    { numRuns: 3000 },
  );
});

interface Tree {
  readonly tag: number;
  readonly content?: Uint8Array;
  readonly children?: readonly Tree[];
}

const trees = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      tag: fc.constantFrom(0x01, 0x02, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x17, 0x18, 0x80, 0x81),
      content: fc.uint8Array({ maxLength: 300 }),
    }),
    fc.record({
      tag: fc.constantFrom(0x30, 0x31, 0xa0, 0xa3),
      children: fc.array(tie('tree'), { maxLength: 4 }),
    }),
  ),
})).tree;

function encode(tree: Tree): Uint8Array {
  if (tree.children === undefined) return tlv(tree.tag, tree.content ?? new Uint8Array());
  return tlv(tree.tag, Buffer.concat(tree.children.map(encode)));
}

function decode(n: DerNode): Tree {
  return (n.tag & 0x20) !== 0
    ? { tag: n.tag, children: derChildren(n, CRL).map(decode) }
    : { tag: n.tag, content: derContent(n) };
}

test('well-formed TLV trees read back as they were written', () => {
  fc.assert(
    fc.property(trees, (tree) => {
      const der = encode(tree);
      const root = readDerExact(der, CRL);
      assert.deepEqual(derBytes(root), der);
      const back = decode(root);
      assert.deepEqual(encode(back), der);
      assert.deepEqual(normalise(back), normalise(tree));
    }),
    { numRuns: 500 },
  );
});

function normalise(tree: Tree): unknown {
  return tree.children === undefined
    ? { tag: tree.tag, content: Buffer.from(tree.content ?? []).toString('hex') }
    : { tag: tree.tag, children: tree.children.map(normalise) };
}
