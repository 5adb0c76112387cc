import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteBackend } from '../../../src/store/physical/sqlite.js';
import { SQLITE_SCHEMA_VERSION } from '../../../src/store/physical/sqlite-schema.js';
import { rejectsWithCode } from '../../conformance/store-conformance.js';

function tempDb(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'cas-sqlite-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'cas.db');
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
