import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode } from 'cborg';
import { parseCoseSign1 } from '../../../../src/attestation/nitro/cose-sign1.js';
import { CasError } from '../../../../src/errors/cas-error.js';

const malformed = (e: unknown) =>
  e instanceof CasError && e.code === 'CAS_ATTESTATION_EVIDENCE_MALFORMED';

test('a protected header with a duplicate key is malformed, not read one way or the other', () => {
  // {1: -35, 1: -7}: a reader that keeps the first key sees ES384, one that keeps the last ES256.
  const header = Uint8Array.from([0xa2, 0x01, 0x38, 0x22, 0x01, 0x26]);
  const message = encode([header, new Map(), new Uint8Array(1), new Uint8Array(96)]);
  assert.throws(() => parseCoseSign1(message), malformed);
});

test('a trailing byte after the COSE_Sign1 item is malformed', () => {
  const header = encode(new Map([[1, -35]]));
  const message = encode([header, new Map(), new Uint8Array(1), new Uint8Array(96)]);
  assert.doesNotThrow(() => parseCoseSign1(message));
  assert.throws(() => parseCoseSign1(Uint8Array.from([...message, 0])), malformed);
});

test('a tag other than 18 is refused', () => {
  const header = encode(new Map([[1, -35]]));
  const inner = encode([header, new Map(), new Uint8Array(1), new Uint8Array(96)]);
  assert.throws(() => parseCoseSign1(Uint8Array.from([0xd1, ...inner])), malformed);
});
