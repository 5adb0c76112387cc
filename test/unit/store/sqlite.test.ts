import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteBackend } from '../../../src/store/physical/sqlite.js';
import { SQLITE_SCHEMA_VERSION } from '../../../src/store/physical/sqlite-schema.js';
import { rejectsWithCode } from '../../conformance/store-conformance.js';
import { tempDir } from '../../helpers/temp-dir.js';

function tempDb(t: { after(fn: () => void): void }): string {
  return join(tempDir(t, 'cas-sqlite-'), 'cas.db');
}

const throwsCode = (fn: () => unknown, code: string) =>
  assert.throws(fn, (error: { code?: string }) => error.code === code);

test('a second opener in the same process gets CAS_STORE_LOCKED', async (t) => {
  const path = tempDb(t);
  const first = openSqliteBackend({ path });
  throwsCode(() => openSqliteBackend({ path }), 'CAS_STORE_LOCKED');
  await first.close();
  const again = openSqliteBackend({ path });
  await again.close();
});

test('another process holding the database locks it out; its death releases the lock', async (t) => {
  const path = tempDb(t);
  const module = resolve('src/store/physical/sqlite.ts');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { openSqliteBackend } from ${JSON.stringify(module)};
       openSqliteBackend({ path: ${JSON.stringify(path)} });
       console.log('ready');
       setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.after(() => child.kill('SIGKILL'));
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  assert.equal(chunk.toString().trim(), 'ready');
  throwsCode(() => openSqliteBackend({ path }), 'CAS_STORE_LOCKED');
  child.kill('SIGKILL');
  await once(child, 'exit');
  const mine = openSqliteBackend({ path });
  await mine.close();
});

test('a schema newer than this code is refused with CAS_STORE_SCHEMA_TOO_NEW', async (t) => {
  const path = tempDb(t);
  await openSqliteBackend({ path }).close();
  const raw = new Database(path);
  raw
    .prepare("UPDATE meta SET value = ? WHERE name = 'schema_version'")
    .run(String(SQLITE_SCHEMA_VERSION + 1));
  raw.close();
  throwsCode(() => openSqliteBackend({ path }), 'CAS_STORE_SCHEMA_TOO_NEW');
});

test('a new database keeps its rows in a rowid table with a unique key index', async (t) => {
  const path = tempDb(t);
  await openSqliteBackend({ path }).close();
  const raw = new Database(path, { readonly: true });
  const sql = raw
    .prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'kv'")
    .get();
  const indexes = raw
    .prepare<[], { name: string; unique: number }>("PRAGMA index_list('kv')")
    .all();
  raw.close();
  assert.ok(sql !== undefined && !/WITHOUT ROWID/i.test(sql.sql), sql?.sql);
  assert.equal(indexes.filter((i) => i.unique === 1).length, 1);
});

test('a database of schema 1 (WITHOUT ROWID) is upgraded on open with every row, value and version', async (t) => {
  const path = tempDb(t);
  // Schema 1 as the first release wrote it.
  const old = new Database(path);
  old.exec(`CREATE TABLE meta (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
    INSERT INTO meta VALUES ('schema_version', '1');
    CREATE TABLE kv (key BLOB PRIMARY KEY NOT NULL, value BLOB NOT NULL,
      version INTEGER NOT NULL CHECK (version >= 1)) WITHOUT ROWID;`);
  const insert = old.prepare('INSERT INTO kv (key, value, version) VALUES (?, ?, ?)');
  const rows = Array.from({ length: 300 }, (_, i) => ({
    key: `d/session/s-${String(i).padStart(3, '0')}`,
    value: Buffer.alloc(500 + i * 10, i),
    version: 1 + (i % 4),
  }));
  for (const r of [...rows].reverse()) insert.run(Buffer.from(r.key), r.value, r.version);
  old.close();

  const backend = openSqliteBackend({ path });
  await backend.transaction(async (tx) => {
    assert.deepEqual(
      await tx.list('d/session/'),
      rows.map((r) => r.key),
    );
    for (const r of rows) {
      const got = await tx.get(r.key);
      assert.ok(got !== undefined, r.key);
      assert.ok(Buffer.from(got.value).equals(r.value), r.key);
      assert.equal(got.version, r.version, r.key);
    }
    // Compare-and-set still sees the versions the old table had.
    assert.equal(await tx.compareAndSet(rows[1]!.key, 2, Buffer.from('new')), true);
    assert.equal((await tx.get(rows[1]!.key))?.version, 3);
    assert.equal(await tx.compareAndSet(rows[2]!.key, 1, Buffer.from('new')), false);
  });
  await backend.close();
  const raw = new Database(path, { readonly: true });
  const version = raw
    .prepare<[], { value: string }>("SELECT value FROM meta WHERE name = 'schema_version'")
    .get();
  raw.close();
  assert.equal(version?.value, String(SQLITE_SCHEMA_VERSION));
});

test('a file that is not a SQLite database, or a directory, is CAS_STORE_CONFIG_INVALID', (t) => {
  const path = tempDb(t);
  writeFileSync(path, Buffer.alloc(4096, 7));
  throwsCode(() => openSqliteBackend({ path }), 'CAS_STORE_CONFIG_INVALID');
  throwsCode(() => openSqliteBackend({ path: dirname(path) }), 'CAS_STORE_CONFIG_INVALID');
});

test('describe names the file and the durability settings', async (t) => {
  const path = tempDb(t);
  const backend = openSqliteBackend({ path });
  assert.match(backend.describe(), /SQLite store .*cas\.db \(WAL, synchronous=FULL/);
  await backend.close();
  await backend.close();
  await rejectsWithCode(
    backend.transaction(() => Promise.resolve()),
    'CAS_STORE_CLOSED',
  );
});

test('a new database file and its WAL are readable by the owner only', async (t) => {
  const path = tempDb(t);
  const backend = openSqliteBackend({ path });
  await backend.transaction((tx) => tx.put('k', new Uint8Array([1])).then(() => undefined));
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(`${path}-wal`).mode & 0o777, 0o600);
  await backend.close();
});
