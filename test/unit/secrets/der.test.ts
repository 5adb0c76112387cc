import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bitString, seq, setOf, tlv, uint, x509Time } from '../../../src/secrets/der.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('tlv: short and long definite lengths', () => {
  assert.equal(hex(tlv(0x04, Buffer.alloc(0))), '0400');
  assert.equal(hex(tlv(0x04, Buffer.alloc(127))).slice(0, 4), '047f');
  assert.equal(hex(tlv(0x04, Buffer.alloc(128))).slice(0, 6), '048180');
  assert.equal(hex(tlv(0x04, Buffer.alloc(256))).slice(0, 8), '04820100');
  assert.equal(hex(tlv(0x04, Buffer.alloc(70_000))).slice(0, 10), '0483011170');
  assert.equal(tlv(0x04, Buffer.alloc(70_000)).length, 70_005);
  assert.equal(hex(seq(Buffer.from([1]), Buffer.from([2, 3]))), '3003010203');
  assert.equal(hex(setOf(Buffer.from([2]), Buffer.from([1, 9]))), '3103010902');
});

test('uint: positive INTEGER from unsigned bytes', () => {
  const cases: [string, string][] = [
    ['', '020100'],
    ['00', '020100'],
    ['01', '020101'],
    ['7f', '02017f'],
    ['80', '02020080'],
    ['0080', '02020080'],
    ['000001', '020101'],
    ['ff01', '020300ff01'],
  ];
  for (const [input, der] of cases) assert.equal(hex(uint(Buffer.from(input, 'hex'))), der, input);
});

test('bitString: unused-bits count first', () => {
  assert.equal(hex(bitString(Buffer.from([0x80]), 7)), '03020780');
  assert.equal(hex(bitString(Buffer.from([0xab, 0xcd]))), '030300abcd');
});

test('x509Time: UTCTime for 1950-2049, GeneralizedTime otherwise, seconds and Z', () => {
  const cases: [string, string][] = [
    ['1949-12-31T23:59:59Z', '19491231235959Z'],
    ['1950-01-01T00:00:00Z', '500101000000Z'],
    ['2026-06-01T12:34:56.789Z', '260601123456Z'],
    ['2049-12-31T23:59:59.999Z', '491231235959Z'],
    ['2050-01-01T00:00:00Z', '20500101000000Z'],
    ['9999-12-31T23:59:59Z', '99991231235959Z'],
  ];
  for (const [iso, text] of cases) {
    const der = x509Time(new Date(iso));
    assert.equal(der[0], text.length === 13 ? 0x17 : 0x18, iso);
    assert.equal(der.subarray(2).toString('latin1'), text, iso);
  }
  assert.throws(() => x509Time(new Date(NaN)), RangeError);
  assert.throws(() => x509Time(new Date('+010000-01-01T00:00:00Z')), RangeError);
});
