// The one conformance suite every physical backend passes, through the encryption barrier (so
// it also checks that the barrier preserves the Store contract) and directly (row versions).
// Each backend's test file calls storeConformance with a factory for fresh databases.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isCasError } from '../../src/errors/cas-error.js';
import { openBarrier } from '../../src/store/barrier/barrier.js';
import {
  MAX_KEY_BYTES,
  MAX_VALUE_BYTES,
  type PhysicalBackend,
} from '../../src/store/physical/physical.js';
import { SecretKey } from '../../src/store/secret-key.js';
import type { Store } from '../../src/store/store.js';

/** A database the suite may open (and, for durable backends, reopen) and then remove. */
export interface ConformanceDatabase {
  open(): Promise<PhysicalBackend>;
  cleanup(): Promise<void>;
}

/** What a backend's test file passes in. */
export interface ConformanceTarget {
  /** A new, empty database; null skips the suite (the reason was printed by the factory). */
  fresh(): Promise<ConformanceDatabase | null>;
  /** True when a reopened backend sees what the previous one committed. */
  readonly durable: boolean;
}

/** `s` as the UTF-8 bytes a store holds. */
export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
/** A stored value read back as UTF-8 (undefined stays undefined). */
export const str = (b: Uint8Array | undefined): string | undefined =>
  b === undefined ? undefined : new TextDecoder().decode(b);

/** Asserts that `promise` rejects with a CasError of `code`. */
export async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isCasError(error), `expected a CasError ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

/** Registers the conformance tests of one backend. */
export function storeConformance(name: string, target: ConformanceTarget): void {
  const key = SecretKey.generate();

  async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
    const db = await target.fresh();
    if (db === null) return;
    const store = await openBarrier({ physical: await db.open(), databaseKey: key });
    try {
      await fn(store);
    } finally {
      await store.close();
      await db.cleanup();
    }
  }

  describe(`store conformance: ${name}`, () => {
    test('get, put, overwrite, delete', () =>
      withStore(async (store) => {
        await store.transaction(async (tx) => {
          assert.equal(await tx.get('a'), undefined);
          await tx.put('a', text('one'));
          assert.equal(str(await tx.get('a')), 'one');
          await tx.put('a', text('two'));
          assert.equal(str(await tx.get('a')), 'two');
          await tx.put('empty', new Uint8Array(0));
        });
        await store.transaction(async (tx) => {
          assert.equal(str(await tx.get('a')), 'two');
          assert.deepEqual(await tx.get('empty'), new Uint8Array(0));
          assert.equal(await tx.delete('a'), true);
          assert.equal(await tx.delete('a'), false);
          assert.equal(await tx.get('a'), undefined);
        });
        assert.equal(await store.transaction((tx) => tx.get('a')), undefined);
      }));

    test('values are copied in and out', () =>
      withStore(async (store) => {
        const input = text('original');
        await store.transaction((tx) => tx.put('k', input));
        input.fill(0);
        const out = await store.transaction((tx) => tx.get('k'));
        out!.fill(0);
        assert.equal(str(await store.transaction((tx) => tx.get('k'))), 'original');
      }));

    test('transaction returns the callback result', () =>
      withStore(async (store) => {
        assert.equal(await store.transaction(() => Promise.resolve(42)), 42);
      }));

    test('list: prefix, byte order, after, limit', () =>
      withStore(async (store) => {
        const keys = ['a/\u{1F600}', 'a/\uE000', 'a/z', 'a/é', 'a/b', 'a', 'ab', 'b/a'];
        await store.transaction(async (tx) => {
          for (const k of keys) await tx.put(k, text(k));
        });
        await store.transaction(async (tx) => {
          // UTF-8 byte order: é (C3 A9) < U+E000 (EE 80 80) < U+1F600 (F0 9F 98 80).
          assert.deepEqual(await tx.list('a/'), ['a/b', 'a/z', 'a/é', 'a/\uE000', 'a/\u{1F600}']);
          assert.deepEqual(await tx.list('a/', { limit: 2 }), ['a/b', 'a/z']);
          assert.deepEqual(await tx.list('a/', { after: 'a/z', limit: 2 }), ['a/é', 'a/\uE000']);
          assert.deepEqual(await tx.list('a/', { after: 'a/\u{1F600}' }), []);
          assert.deepEqual(await tx.list('a/', { after: 'a/c' }), [
            'a/z',
            'a/é',
            'a/\uE000',
            'a/\u{1F600}',
          ]);
          assert.deepEqual(await tx.list('nothing/'), []);
          assert.deepEqual((await tx.list('')).length, keys.length);
          assert.deepEqual(await tx.list('a'), [
            'a',
            'a/b',
            'a/z',
            'a/é',
            'a/\uE000',
            'a/\u{1F600}',
            'ab',
          ]);
        });
      }));

    test('list pages through many keys without gaps or repeats', () =>
      withStore(async (store) => {
        const all = Array.from({ length: 57 }, (_, i) => `p/${String(i).padStart(3, '0')}`);
        await store.transaction(async (tx) => {
          for (const k of all) await tx.put(k, text(k));
        });
        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.transaction((tx) =>
            tx.list('p/', { limit: 10, ...(after === undefined ? {} : { after }) }),
          );
          if (page.length === 0) break;
          seen.push(...page);
          after = page.at(-1);
        }
        assert.deepEqual(seen, all);
      }));

    test('list takes the prefix literally (no LIKE wildcards, no escapes)', () =>
      withStore(async (store) => {
        const keys = ['p%x', 'p_y', 'pzz', 'p\\q', 'p[a]', 'p*'];
        await store.transaction(async (tx) => {
          for (const k of keys) await tx.put(k, text(k));
        });
        await store.transaction(async (tx) => {
          assert.deepEqual(await tx.list('p%'), ['p%x']);
          assert.deepEqual(await tx.list('p_'), ['p_y']);
          assert.deepEqual(await tx.list('p\\'), ['p\\q']);
          assert.deepEqual(await tx.list('p['), ['p[a]']);
          assert.deepEqual(await tx.list('p*'), ['p*']);
        });
      }));

    test('compareAndSet writes only over the expected value', () =>
      withStore(async (store) => {
        await store.transaction(async (tx) => {
          assert.equal(await tx.compareAndSet('c', undefined, text('1')), true);
          assert.equal(await tx.compareAndSet('c', undefined, text('x')), false);
          assert.equal(await tx.compareAndSet('c', text('0'), text('x')), false);
          assert.equal(await tx.compareAndSet('c', text('1'), text('2')), true);
          assert.equal(await tx.compareAndSet('c', text('22'), text('x')), false);
        });
        assert.equal(str(await store.transaction((tx) => tx.get('c'))), '2');
      }));

    test('a callback that throws leaves nothing behind', () =>
      withStore(async (store) => {
        await store.transaction((tx) => tx.put('keep', text('v1')));
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.put('new', text('x'));
            await tx.put('keep', text('v2'));
            await tx.delete('keep');
            throw new Error('boom');
          }),
          /boom/,
        );
        await store.transaction(async (tx) => {
          assert.equal(await tx.get('new'), undefined);
          assert.equal(str(await tx.get('keep')), 'v1');
          assert.deepEqual(await tx.list(''), ['keep']);
        });
      }));

    test('concurrent read-modify-write of one key never loses an update', () =>
      withStore(async (store) => {
        await store.transaction((tx) => tx.put('counter', text('0')));
        let committed = 0;
        const increment = async (delay: number) => {
          try {
            await store.transaction(async (tx) => {
              const n = Number(str(await tx.get('counter')));
              await sleep(delay);
              await tx.put('counter', text(String(n + 1)));
            });
            committed += 1;
          } catch (error) {
            // The contract allows a backend to give up after its retries; never silently.
            assert.ok(isCasError(error) && error.code === 'CAS_STORE_CONFLICT', String(error));
          }
        };
        await Promise.all([increment(30), increment(5), increment(15), increment(0)]);
        const final = Number(str(await store.transaction((tx) => tx.get('counter'))));
        assert.ok(committed >= 1);
        assert.equal(final, committed);
      }));

    test('invalid keys and oversized values are refused with codes', () =>
      withStore(async (store) => {
        await store.transaction(async (tx) => {
          await rejectsWithCode(tx.put('', text('x')), 'CAS_STORE_KEY_INVALID');
          await rejectsWithCode(tx.get('bad\uD800'), 'CAS_STORE_KEY_INVALID');
          await rejectsWithCode(tx.get('k'.repeat(MAX_KEY_BYTES + 1)), 'CAS_STORE_KEY_INVALID');
          await rejectsWithCode(tx.list('bad\uDC00'), 'CAS_STORE_KEY_INVALID');
          await rejectsWithCode(
            tx.put('big', new Uint8Array(MAX_VALUE_BYTES + 1)),
            'CAS_STORE_VALUE_TOO_LARGE',
          );
        });
      }));

    test('large values round-trip', () =>
      withStore(async (store) => {
        const big = randomBytes(4 * 1024 * 1024);
        await store.transaction((tx) => tx.put('big', big));
        const out = await store.transaction((tx) => tx.get('big'));
        assert.ok(Buffer.from(out!).equals(big));
      }));

    test('misuse: a leaked tx, a nested transaction, a closed store', () =>
      withStore(async (store) => {
        let leaked: Parameters<Parameters<Store['transaction']>[0]>[0] | undefined;
        await store.transaction((tx) => {
          leaked = tx;
          return Promise.resolve();
        });
        await rejectsWithCode(leaked!.get('x'), 'CAS_INTERNAL');
        await rejectsWithCode(
          store.transaction(() => store.transaction(() => Promise.resolve())),
          'CAS_INTERNAL',
        );
        const db = (await target.fresh())!;
        const other = await openBarrier({ physical: await db.open(), databaseKey: key });
        await other.close();
        await rejectsWithCode(
          other.transaction(() => Promise.resolve()),
          'CAS_STORE_CLOSED',
        );
        await db.cleanup();
      }));

    test('random operation sequences agree with a model (and rollbacks undo them)', () =>
      withStore(async (store) => {
        const keys = ['a', 'a/b', 'a/c', 'ab', 'b', 'é', '%', 'a/é'];
        const key = fc.constantFrom(...keys);
        const value = fc.option(fc.constantFrom('', 'x', 'y', 'zz'), { nil: undefined });
        const op = fc.oneof(
          fc.record({
            kind: fc.constant('put' as const),
            key,
            value: fc.constantFrom('', 'x', 'y', 'zz'),
          }),
          fc.record({ kind: fc.constant('delete' as const), key }),
          fc.record({ kind: fc.constant('get' as const), key }),
          fc.record({
            kind: fc.constant('cas' as const),
            key,
            expected: value,
            value: fc.constantFrom('x', 'y'),
          }),
          fc.record({
            kind: fc.constant('list' as const),
            prefix: fc.constantFrom('', 'a', 'a/', 'b', 'z'),
            after: fc.option(key, { nil: undefined }),
            limit: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
          }),
        );
        const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.array(op, { maxLength: 8 }), { minLength: 1, maxLength: 3 }),
            fc.boolean(),
            async (batches, abortLast) => {
              let model = new Map<string, string>();
              await store.transaction(async (tx) => {
                for (const k of await tx.list('')) await tx.delete(k);
              });
              for (const [i, batch] of batches.entries()) {
                const abort = abortLast && i === batches.length - 1;
                const draft = new Map(model);
                const run = store.transaction(async (tx) => {
                  for (const o of batch) {
                    if (o.kind === 'put') {
                      await tx.put(o.key, text(o.value));
                      draft.set(o.key, o.value);
                    } else if (o.kind === 'delete') {
                      assert.equal(await tx.delete(o.key), draft.delete(o.key));
                    } else if (o.kind === 'get') {
                      assert.equal(str(await tx.get(o.key)), draft.get(o.key));
                    } else if (o.kind === 'cas') {
                      const expected = o.expected === undefined ? undefined : text(o.expected);
                      const wrote = await tx.compareAndSet(o.key, expected, text(o.value));
                      assert.equal(wrote, draft.get(o.key) === o.expected);
                      if (wrote) draft.set(o.key, o.value);
                    } else {
                      const want = [...draft.keys()]
                        .filter((k) => k.startsWith(o.prefix))
                        .filter((k) => o.after === undefined || byteOrder(k, o.after) > 0)
                        .sort(byteOrder)
                        .slice(0, o.limit ?? Infinity);
                      const options = {
                        ...(o.after === undefined ? {} : { after: o.after }),
                        ...(o.limit === undefined ? {} : { limit: o.limit }),
                      };
                      assert.deepEqual(await tx.list(o.prefix, options), want);
                    }
                  }
                  if (abort) throw new Error('abort on purpose');
                });
                if (abort) await assert.rejects(run, /abort on purpose/);
                else {
                  await run;
                  model = draft;
                }
              }
              const stored = await store.transaction(async (tx) => {
                const out = new Map<string, string>();
                for (const k of await tx.list('')) out.set(k, str(await tx.get(k))!);
                return out;
              });
              assert.deepEqual(stored, model);
            },
          ),
          { numRuns: target.durable ? 15 : 60 },
        );
      }));

    test('committed data survives a reopen', { skip: !target.durable }, async () => {
      const db = await target.fresh();
      if (db === null) return;
      try {
        const first = await openBarrier({ physical: await db.open(), databaseKey: key });
        await first.transaction((tx) => tx.put('durable', text('yes')));
        await first.close();
        const second = await openBarrier({ physical: await db.open(), databaseKey: key });
        assert.equal(str(await second.transaction((tx) => tx.get('durable'))), 'yes');
        await second.close();
      } finally {
        await db.cleanup();
      }
    });

    test('physical rows carry versions; compareAndSet compares versions', async () => {
      const db = await target.fresh();
      if (db === null) return;
      const physical = await db.open();
      try {
        await physical.transaction(async (tx) => {
          assert.equal(await tx.put('r', text('a')), 1);
          assert.equal(await tx.put('r', text('b')), 2);
          assert.equal((await tx.get('r'))?.version, 2);
          assert.equal(await tx.compareAndSet('r', 1, text('x')), false);
          assert.equal(await tx.compareAndSet('r', 2, text('c')), true);
          assert.deepEqual(await tx.get('r'), { value: text('c'), version: 3 });
          assert.equal(await tx.compareAndSet('n', 0, text('new')), true);
          assert.equal(await tx.compareAndSet('n', 0, text('again')), false);
          assert.equal(await tx.delete('r'), true);
          assert.equal(await tx.put('r', text('d')), 1);
        });
      } finally {
        await physical.close();
        await db.cleanup();
      }
    });
  });
}
