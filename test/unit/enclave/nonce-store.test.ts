import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { NonceStore } from '../../../src/core/enclave/nonce-store.js';
import { isCasError } from '../../../src/errors/cas-error.js';

function store(max = 3) {
  let t = 0;
  const s = new NonceStore({ now: () => t, randomBytes, maxPerAddress: max });
  return { s, advance: (ms: number) => (t += ms) };
}

const code = (c: string) => (e: unknown) => isCasError(e) && e.code === c;

test('a nonce is 32 random bytes, single use, and only on its own connection', () => {
  const { s } = store();
  const a = {};
  const b = {};
  const n = s.issue(a, '1.2.3.4');
  assert.equal(n.length, 32);
  assert.throws(() => s.consume(b), code('CAS_ENCLAVE_NONCE_UNKNOWN'));
  assert.deepEqual(s.consume(a, n), n);
  assert.throws(() => s.consume(a), code('CAS_ENCLAVE_NONCE_UNKNOWN'));
});

test('a wrong nonce value is refused and the nonce is gone', () => {
  const { s } = store();
  const a = {};
  s.issue(a, 'x');
  assert.throws(() => s.consume(a, randomBytes(32)), code('CAS_ENCLAVE_NONCE_UNKNOWN'));
  assert.throws(() => s.consume(a), code('CAS_ENCLAVE_NONCE_UNKNOWN'));
});

test('a nonce expires after 60 s', () => {
  const { s, advance } = store();
  const a = {};
  s.issue(a, 'x');
  advance(60_001);
  assert.throws(() => s.consume(a), code('CAS_ENCLAVE_NONCE_EXPIRED'));
  const b = {};
  s.issue(b, 'x');
  advance(59_999);
  assert.equal(s.consume(b).length, 32);
});

test('outstanding nonces are capped per address; expiry, use and close free slots', () => {
  const { s, advance } = store(2);
  const [a, b, c] = [{}, {}, {}];
  s.issue(a, 'x');
  s.issue(b, 'x');
  assert.throws(() => s.issue(c, 'x'), code('CAS_ENCLAVE_TOO_MANY_CHALLENGES'));
  s.issue(c, 'y');
  s.issue(a, 'x'); // replaces a's own nonce: still two
  assert.equal(s.outstanding('x'), 2);
  s.consume(a);
  s.issue(c, 'x');
  s.release(b);
  assert.equal(s.outstanding('x'), 1);
  advance(61_000);
  assert.equal(s.outstanding('x'), 0);
});
