import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CasError } from '../../../src/errors/cas-error.js';
import { withStoreRetry } from '../../../src/store/retry.js';

const unavailable = () => new CasError('CAS_STORE_UNAVAILABLE', 'down');

test('retries CAS_STORE_UNAVAILABLE with growing, jittered delays, then succeeds', async () => {
  const delays: number[] = [];
  let calls = 0;
  const result = await withStoreRetry(
    () => {
      calls += 1;
      return calls < 4 ? Promise.reject(unavailable()) : Promise.resolve('up');
    },
    { baseDelayMs: 100, sleep: (ms) => Promise.resolve(delays.push(ms)), random: () => 1 },
  );
  assert.equal(result, 'up');
  assert.deepEqual(delays, [100, 200, 400]);
});

test('gives up after the attempts and rethrows the last failure', async () => {
  let calls = 0;
  await assert.rejects(
    withStoreRetry(
      () => {
        calls += 1;
        return Promise.reject(unavailable());
      },
      { attempts: 3, sleep: () => Promise.resolve() },
    ),
    (error: CasError) => error.code === 'CAS_STORE_UNAVAILABLE',
  );
  assert.equal(calls, 3);
});

test('does not retry other failures; delays stay within [d/2, d] and the maximum', async () => {
  let calls = 0;
  await assert.rejects(
    withStoreRetry(() => {
      calls += 1;
      return Promise.reject(new CasError('CAS_STORE_INTEGRITY', 'tampered'));
    }),
    (error: CasError) => error.code === 'CAS_STORE_INTEGRITY',
  );
  assert.equal(calls, 1);
  const delays: number[] = [];
  await withStoreRetry(
    (attempt) => (attempt < 8 ? Promise.reject(unavailable()) : Promise.resolve()),
    {
      attempts: 8,
      baseDelayMs: 100,
      maxDelayMs: 1000,
      random: () => 0,
      sleep: (ms) => Promise.resolve(delays.push(ms)),
    },
  );
  assert.deepEqual(delays, [50, 100, 200, 400, 500, 500, 500]);
});
