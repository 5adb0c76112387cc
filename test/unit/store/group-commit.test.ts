import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteBackend } from '../../../src/store/physical/sqlite.js';
import { rejectsWithCode, str, text } from '../../conformance/store-conformance.js';
import { tempDir } from '../../helpers/temp-dir.js';

/**
 * Records the statements the SQLite connection executes (and lets a test fail one), next to
 * the moments transactions resolve: the order of the two is what group commit promises.
 */
function spyOnExec(t: TestContext) {
  const events: string[] = [];
  let failNext: string | undefined;
  // Kept to be called with the connection as `this` and put back after the test.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = Database.prototype.exec;
  Database.prototype.exec = function exec(this: Database.Database, sql: string) {
    if (sql === failNext) {
      failNext = undefined;
      events.push(`failed ${sql}`);
      throw Object.assign(new Error('disk I/O error (injected)'), { code: 'SQLITE_IOERR' });
    }
    events.push(sql);
    return original.call(this, sql);
  };
  t.after(() => {
    Database.prototype.exec = original;
  });
  return {
    events,
    failNext(sql: string) {
      failNext = sql;
    },
  };
}

const put =
  (key: string, value: string) =>
  async (tx: { put(k: string, v: Uint8Array): Promise<number> }) => {
    await tx.put(key, text(value));
    return key;
  };

test('transactions started together share one SQLite transaction and one commit, and resolve after it', async (t) => {
  const backend = openSqliteBackend({ path: join(tempDir(t), 'cas.db') });
  t.after(() => backend.close());
  const spy = spyOnExec(t);
  const keys = ['a', 'b', 'c', 'd'];
  const done = keys.map((k) =>
    backend.transaction(put(k, `value of ${k}`)).then((key) => {
      spy.events.push(`resolved ${key}`);
    }),
  );
  await Promise.all(done);
  const shared = spy.events.filter((e) => !e.startsWith('SAVEPOINT') && !e.startsWith('RELEASE'));
  assert.deepEqual(shared, ['BEGIN IMMEDIATE', 'COMMIT', ...keys.map((k) => `resolved ${k}`)]);
  assert.equal(spy.events.filter((e) => e === 'SAVEPOINT cas_tx').length, keys.length);
  await backend.transaction(async (tx) => {
    for (const k of keys) assert.equal(str((await tx.get(k))?.value), `value of ${k}`);
  });
});

test('a member that throws is rolled back alone; the others commit', async (t) => {
  const backend = openSqliteBackend({ path: join(tempDir(t), 'cas.db') });
  t.after(() => backend.close());
  const [first, failing, last] = await Promise.allSettled([
    backend.transaction(put('kept-1', 'one')),
    backend.transaction(async (tx) => {
      await tx.put('dropped', text('never'));
      throw new Error('the caller changed its mind');
    }),
    backend.transaction(put('kept-2', 'two')),
  ]);
  assert.deepEqual(first, { status: 'fulfilled', value: 'kept-1' });
  assert.equal(failing.status, 'rejected');
  assert.match(String(failing.reason), /changed its mind/);
  assert.deepEqual(last, { status: 'fulfilled', value: 'kept-2' });
  await backend.transaction(async (tx) => {
    assert.equal(str((await tx.get('kept-1'))?.value), 'one');
    assert.equal(await tx.get('dropped'), undefined);
    assert.equal(str((await tx.get('kept-2'))?.value), 'two');
  });
});

test('a failed shared commit fails every member with CAS_STORE_UNAVAILABLE and keeps none of their writes', async (t) => {
  const backend = openSqliteBackend({ path: join(tempDir(t), 'cas.db') });
  t.after(() => backend.close());
  const spy = spyOnExec(t);
  spy.failNext('COMMIT');
  const members = [
    backend.transaction(put('lost-1', 'x')),
    backend.transaction(async (tx) => (await tx.get('lost-1'))?.version),
    backend.transaction(put('lost-2', 'y')),
  ];
  for (const member of members) await rejectsWithCode(member, 'CAS_STORE_UNAVAILABLE');
  // The store goes on: the next transaction opens a new batch.
  await backend.transaction(put('after', 'z'));
  await backend.transaction(async (tx) => {
    assert.equal(await tx.get('lost-1'), undefined);
    assert.equal(await tx.get('lost-2'), undefined);
    assert.equal(str((await tx.get('after'))?.value), 'z');
  });
});

test('close and a backup commit the open batch first', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'cas.db');
  const backend = openSqliteBackend({ path });
  const pending = backend.transaction(put('before-backup', 'in the copy'));
  const copy = join(dir, 'copy.db');
  await backend.backupTo!(copy);
  assert.equal(await pending, 'before-backup');
  const raw = new Database(copy, { readonly: true });
  const row = raw.prepare('SELECT value FROM kv WHERE key = ?').get(Buffer.from('before-backup'));
  raw.close();
  assert.ok(row !== undefined, 'the backup holds the write queued before it');

  const unawaited = backend.transaction(put('before-close', 'kept'));
  await backend.close();
  assert.equal(await unawaited, 'before-close');
  const reopened = openSqliteBackend({ path });
  await reopened.transaction(async (tx) => {
    assert.equal(str((await tx.get('before-close'))?.value), 'kept');
  });
  await reopened.close();
});
