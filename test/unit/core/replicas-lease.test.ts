import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { startDutyRunner } from '../../../src/core/replicas/duty-runner.js';
import {
  holdsLease,
  leaseKey,
  readLease,
  releaseLease,
  tryAcquireLease,
} from '../../../src/core/replicas/lease.js';
import { openBarrier } from '../../../src/store/barrier/barrier.js';
import { createMemoryBackend } from '../../../src/store/physical/memory.js';
import { openPostgresBackend } from '../../../src/store/physical/postgres.js';
import { SecretKey } from '../../../src/store/secret-key.js';
import type { Store } from '../../../src/store/store.js';
import { startTestPostgres } from '../../helpers/postgres.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function memoryStore(): Promise<Store> {
  return openBarrier({ physical: createMemoryBackend(), databaseKey: SecretKey.generate(32) });
}

function clock(start = 1_000_000): { now: () => Date; advance(ms: number): void } {
  let t = start;
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

describe('leases of background duties', () => {
  test('one holder at a time; renewal by the holder; takeover only after expiry', async () => {
    const store = await memoryStore();
    const c = clock();
    const a = { duty: 'snapshot', holder: 'A', ttlMs: 1000, now: c.now };
    const b = { ...a, holder: 'B' };
    const cases: Array<[string, () => Promise<unknown>, string | undefined]> = [
      ['A takes a free lease', () => tryAcquireLease(store, a), 'A'],
      ['B is refused while A holds it', () => tryAcquireLease(store, b), undefined],
      ['A renews', () => (c.advance(900), tryAcquireLease(store, a)), 'A'],
      [
        'B is still refused (renewed)',
        () => (c.advance(900), tryAcquireLease(store, b)),
        undefined,
      ],
      ['B takes it after expiry', () => (c.advance(200), tryAcquireLease(store, b)), 'B'],
      ['A is now refused', () => tryAcquireLease(store, a), undefined],
    ];
    for (const [what, step, holder] of cases) {
      const got = (await step()) as { holder: string } | undefined;
      assert.equal(got?.holder, holder, what);
    }
    await store.close();
  });

  test('holdsLease fences a duty whose lease was taken over', async () => {
    const store = await memoryStore();
    const c = clock();
    await tryAcquireLease(store, { duty: 'rotate', holder: 'A', ttlMs: 100, now: c.now });
    const nowMs = c.now().getTime();
    assert.equal(await store.transaction((tx) => holdsLease(tx, 'rotate', 'A', nowMs)), true);
    assert.equal(await store.transaction((tx) => holdsLease(tx, 'rotate', 'B', nowMs)), false);
    assert.equal(
      await store.transaction((tx) => holdsLease(tx, 'rotate', 'A', nowMs + 100)),
      false,
    );
    assert.equal(await store.transaction((tx) => holdsLease(tx, 'other', 'A', nowMs)), false);
    await store.close();
  });

  test('release frees the lease only for its holder; an unreadable record counts as free', async () => {
    const store = await memoryStore();
    const c = clock();
    const a = { duty: 'checkpoint', holder: 'A', ttlMs: 60_000, now: c.now };
    await tryAcquireLease(store, a);
    assert.equal(await releaseLease(store, { duty: 'checkpoint', holder: 'B' }), false);
    assert.equal(await releaseLease(store, a), true);
    assert.equal(await store.transaction((tx) => readLease(tx, 'checkpoint')), undefined);
    await store.transaction((tx) => tx.put(leaseKey('checkpoint'), new Uint8Array([0x7b])));
    assert.equal((await tryAcquireLease(store, { ...a, holder: 'B' }))?.holder, 'B');
    await assert.rejects(tryAcquireLease(store, { ...a, ttlMs: 0 }), RangeError);
    await store.close();
  });

  test('a duty runner runs only while it holds the lease and survives a failing duty', async () => {
    const store = await memoryStore();
    const c = clock();
    const runs: string[] = [];
    const make = (holder: string, fail = false) =>
      startDutyRunner({
        store,
        duty: 'snapshot',
        holder,
        ttlMs: 1000,
        now: c.now,
        intervalMs: 3_600_000,
        logger: quiet,
        run: () => {
          runs.push(holder);
          return fail ? Promise.reject(new Error('disk full')) : Promise.resolve();
        },
      });
    const a = make('A', true);
    const b = make('B');
    assert.equal(await a.tick(), false, 'a failing duty reports that it did not run');
    assert.equal(await b.tick(), false, 'B does not run while A holds the lease');
    await a.stop();
    assert.equal(await b.tick(), true, 'stopping A released the lease');
    assert.equal(await a.tick(), false, 'a stopped runner never runs');
    await b.stop();
    assert.deepEqual(runs, ['A', 'B']);
    await store.close();
  });
});

const server = await startTestPostgres();

if ('skipped' in server) {
  test('leases over PostgreSQL', { skip: server.skipped }, () => undefined);
} else {
  after(() => server.stop());

  test('over PostgreSQL: replicas racing for a free lease, exactly one wins each round', async () => {
    const db = await server.createDatabase();
    const key = SecretKey.generate(32);
    const replicas: Store[] = [];
    try {
      for (let i = 0; i < 4; i += 1) {
        const physical = await openPostgresBackend({ url: db.url, poolSize: 2 });
        replicas.push(await openBarrier({ physical, databaseKey: new SecretKey(key.bytes) }));
      }
      for (let round = 0; round < 5; round += 1) {
        const now = () => new Date(1_000_000 + round * 10_000);
        const results = await Promise.all(
          replicas.map((store, i) =>
            tryAcquireLease(store, { duty: 'snapshot', holder: `R${i}`, ttlMs: 5000, now }),
          ),
        );
        const winners = results.filter((r) => r !== undefined);
        assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(results)}`);
        const stored = await replicas[0]!.transaction((tx) => readLease(tx, 'snapshot'));
        assert.deepEqual(stored, winners[0]);
      }
    } finally {
      for (const store of replicas) await store.close();
      key.dispose();
      await db.drop();
    }
  });
}
