import type Database from 'better-sqlite3';
import { checkSchemaVersion } from './schema-version.js';

/**
 * The SQLite schema steps, in order: step i takes the schema from version i to i + 1. Steps are
 * appended, never edited, so every older database reaches the current schema.
 */
const STEPS: readonly string[] = [
  // 0 → 1: the one key-value table. Keys are UTF-8 BLOBs so that SQLite's memcmp order is the
  // contract's byte order and no character is a LIKE wildcard.
  `CREATE TABLE kv (
     key BLOB PRIMARY KEY NOT NULL,
     value BLOB NOT NULL,
     version INTEGER NOT NULL CHECK (version >= 1)
   ) WITHOUT ROWID`,
  // 1 → 2: the same rows in a rowid table with a unique index on the key. A WITHOUT ROWID
  // table keeps at most about 1 KB of a row on its 4 KB leaf page and spills the rest into
  // overflow pages; session metadata and versions are 1-4 KB, so every read touched extra
  // pages and the file was about twice its data (5.5 GiB for 10^6 bench sessions, 3.9 in this
  // layout). A rowid table keeps rows up to about 4 KB on the leaf and appends new rows to one
  // page; its key index holds only keys. Measured with rows of the bench sessions' sizes: a
  // session's three lookups among 10^6 sessions 70-80 µs instead of 220-290 µs, and a create's
  // commit (three rows, fsync) 270 µs instead of 470 µs.
  `CREATE TABLE kv_rows (
     key BLOB NOT NULL UNIQUE,
     value BLOB NOT NULL,
     version INTEGER NOT NULL CHECK (version >= 1)
   );
   INSERT INTO kv_rows (key, value, version) SELECT key, value, version FROM kv ORDER BY key;
   DROP TABLE kv;
   ALTER TABLE kv_rows RENAME TO kv;`,
];

/** The schema version this code writes. */
export const SQLITE_SCHEMA_VERSION = STEPS.length;

/**
 * Creates or upgrades the schema in one write transaction (which, in exclusive locking mode,
 * also takes the file lock).
 *
 * @throws CAS_STORE_SCHEMA_TOO_NEW when a newer release wrote the database.
 */
export function migrateSqlite(db: Database.Database): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(
      'CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID',
    );
    const row = db
      .prepare<[], { value: string }>("SELECT value FROM meta WHERE name = 'schema_version'")
      .get();
    const current = row === undefined ? 0 : Number(row.value);
    checkSchemaVersion(current, SQLITE_SCHEMA_VERSION);
    for (let step = current; step < SQLITE_SCHEMA_VERSION; step += 1) db.exec(STEPS[step]!);
    db.prepare(
      "INSERT INTO meta (name, value) VALUES ('schema_version', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    ).run(String(SQLITE_SCHEMA_VERSION));
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
