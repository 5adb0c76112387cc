import { closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { CasError } from '../../errors/cas-error.js';
import { checkVersion, keyBytes, listRange, valueBytes } from './check.js';
import type { ListOptions, PhysicalBackend, PhysicalTx } from './physical.js';
import { GroupCommit } from './group-commit.js';
import { guardTx } from './guard-tx.js';
import { SerialRunner } from './serial-runner.js';
import { migrateSqlite } from './sqlite-schema.js';

/** Options of {@link openSqliteBackend}. */
export interface SqliteOptions {
  /** The database file; its directory is created (mode 0700) when missing. */
  readonly path: string;
}

type Db = Database.Database;

/**
 * Open connections, referenced until closed: a connection that only a forgotten object held
 * would be garbage-collected, and closing it would silently release the process's lock on the
 * database. (The one module-level state of the store, on purpose.)
 */
const openConnections = new Set<Db>();

/**
 * Opens (or creates) the SQLite database at `path` and takes it for this process alone.
 *
 * Choices, and why:
 * - `locking_mode=EXCLUSIVE`: SQLite takes a kernel (fcntl) lock on the file at the first write
 *   and keeps it until the connection closes; the kernel drops it when the process dies, so a
 *   crashed CAS never leaves a stale lock, and a second process (or a second connection of this
 *   one) gets SQLITE_BUSY at once, which becomes `CAS_STORE_LOCKED`. In WAL mode this also
 *   keeps the WAL index in process memory: no `-shm` file.
 * - `journal_mode=WAL`: commits append to the log, readers never block the writer.
 * - `synchronous=FULL`: each commit is fsynced before it is acknowledged. NORMAL with WAL stays
 *   consistent but may lose the last commits on power loss; a CAS that loses a secret it has
 *   already handed to a workload breaks that workload's data, so durability wins.
 * - `busy_timeout`: 0 while taking the lock (fail fast with a clear error instead of hanging),
 *   then 5 s, which only matters for checkpoints since no other connection can hold the file.
 * - `secure_delete=ON`: freed pages are zeroed, so superseded ciphertexts do not linger.
 *
 * @throws CAS_STORE_LOCKED, CAS_STORE_SCHEMA_TOO_NEW, CAS_STORE_CONFIG_INVALID,
 *   CAS_STORE_UNAVAILABLE
 */
export function openSqliteBackend(options: SqliteOptions): PhysicalBackend {
  const path = resolve(options.path);
  let db: Db;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Keys (session names) are stored in clear: a new database file is 0600, and SQLite gives
    // its WAL the same mode.
    closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT, 0o600));
    db = new Database(path, { timeout: 0 });
  } catch (cause) {
    const mapped = sqliteError(cause, `cannot open the SQLite database ${path}`);
    if (mapped instanceof CasError) throw mapped;
    const code = (cause as { code?: unknown }).code;
    throw new CasError(
      'CAS_STORE_CONFIG_INVALID',
      `cannot open the SQLite database ${path} (${typeof code === 'string' ? code : String(cause)})`,
      { cause },
    );
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('secure_delete = ON');
    // The first write transaction takes the exclusive lock; schema checks happen inside it.
    migrateSqlite(db);
    db.pragma('busy_timeout = 5000');
    openConnections.add(db);
  } catch (cause) {
    db.close();
    throw sqliteError(cause, `cannot open the SQLite database ${path}`);
  }
  return sqliteBackend(db, path);
}

function sqliteBackend(db: Db, path: string): PhysicalBackend {
  const runner = new SerialRunner(`the SQLite store ${path}`);
  const tx = sqliteTx(db);
  // The shared commit runs as a runner job once the event loop's ready I/O has been handled;
  // a closing store commits it itself (close() flushes after the last job).
  const group = new GroupCommit(db, (commit) => {
    // Scheduled from inside a transaction job, queued as a job of its own.
    runner.outside(() =>
      setImmediate(() => {
        if (runner.closed) return;
        runner
          .run(() => {
            commit();
            return Promise.resolve();
          })
          .catch(() => undefined);
      }),
    );
  });
  return {
    kind: 'sqlite',
    async transaction<T>(fn: (tx: PhysicalTx) => Promise<T>): Promise<T> {
      const durable = await runner.run(async () => {
        let open = true;
        try {
          return await group.run(() => fn(guardTx(tx, () => open)));
        } catch (error) {
          throw sqliteError(error, 'a SQLite transaction failed');
        } finally {
          open = false;
        }
      });
      // Outside the runner: the shared commit is a runner job of its own.
      try {
        return await durable();
      } catch (error) {
        throw sqliteError(error, 'a SQLite commit failed');
      }
    },
    describe: () =>
      `SQLite store ${path} (WAL, synchronous=FULL, group commit, held exclusively by process ${process.pid})`,
    // Through the connection that holds the lock, between transactions, of committed data.
    backupTo: (destination) =>
      runner.run(async () => {
        group.flush();
        await db.backup(destination);
      }),
    async close(): Promise<void> {
      if (runner.closed) return;
      await runner.close();
      group.flush();
      db.close();
      openConnections.delete(db);
    },
  };
}

function sqliteTx(db: Db): PhysicalTx {
  const get = db.prepare<[Buffer], { value: Buffer; version: number }>(
    'SELECT value, version FROM kv WHERE key = ?',
  );
  const put = db.prepare<[Buffer, Buffer], { version: number }>(
    `INSERT INTO kv (key, value, version) VALUES (?, ?, 1)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = kv.version + 1
     RETURNING version`,
  );
  const del = db.prepare<[Buffer]>('DELETE FROM kv WHERE key = ?');
  const insertNew = db.prepare<[Buffer, Buffer]>(
    'INSERT INTO kv (key, value, version) VALUES (?, ?, 1) ON CONFLICT (key) DO NOTHING',
  );
  const update = db.prepare<[Buffer, Buffer, number]>(
    'UPDATE kv SET value = ?, version = version + 1 WHERE key = ? AND version = ?',
  );
  const lists = new Map<string, Database.Statement<unknown[], { key: Buffer }>>();
  const listStatement = (sql: string): Database.Statement<unknown[], { key: Buffer }> => {
    let statement = lists.get(sql);
    if (statement === undefined) {
      statement = db.prepare<unknown[], { key: Buffer }>(sql);
      lists.set(sql, statement);
    }
    return statement;
  };
  return {
    get(key) {
      const row = get.get(keyBytes(key));
      return Promise.resolve(
        row === undefined ? undefined : { value: new Uint8Array(row.value), version: row.version },
      );
    },
    put(key, value) {
      const row = put.get(keyBytes(key), valueBytes(value));
      return Promise.resolve(row!.version);
    },
    delete(key) {
      return Promise.resolve(del.run(keyBytes(key)).changes > 0);
    },
    list(prefix: string, options?: ListOptions) {
      const range = listRange(prefix, options);
      const where = ['key >= ?'];
      const args: unknown[] = [range.prefix];
      if (range.upper !== null) {
        where.push('key < ?');
        args.push(range.upper);
      }
      if (range.after !== null) {
        where.push('key > ?');
        args.push(range.after);
      }
      let sql = `SELECT key FROM kv WHERE ${where.join(' AND ')} ORDER BY key`;
      if (range.limit !== null) {
        sql += ' LIMIT ?';
        args.push(range.limit);
      }
      const keys = listStatement(sql)
        .all(...args)
        .map((row) => row.key.toString('utf8'));
      return Promise.resolve(keys);
    },
    compareAndSet(key, expectedVersion, value) {
      checkVersion(expectedVersion);
      const k = keyBytes(key);
      const v = valueBytes(value);
      const changes =
        expectedVersion === 0
          ? insertNew.run(k, v).changes
          : update.run(v, k, expectedVersion).changes;
      return Promise.resolve(changes === 1);
    },
  };
}

/** Maps a SQLite failure to a store code; CasErrors pass through unchanged. */
function sqliteError(error: unknown, context: string): unknown {
  if (error instanceof CasError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new CasError(
      'CAS_STORE_LOCKED',
      `${context}: another process holds the database (a SQLite database belongs to one CAS process)`,
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
    return new CasError('CAS_STORE_CONFIG_INVALID', `${context}: not a valid SQLite database`, {
      cause: error,
    });
  }
  return new CasError('CAS_STORE_UNAVAILABLE', `${context} (${code})`, { cause: error });
}
