import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CasError } from '../../errors/cas-error.js';

/** Where a snapshot comes from. */
export interface SnapshotSource {
  /** Writes a consistent copy of the database to `path` (the live store's online backup). */
  backupDatabase(path: string): Promise<void>;
  /** The key store file that belongs to the database (copied beside it). */
  readonly keyStorePath: string;
  readonly casKeyHash: string;
}

/** `cas-snapshot-20261123T001500Z`: sortable, one per second at most. */
function folderName(now: Date): string {
  return `cas-snapshot-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

/**
 * Takes a snapshot into a new timestamped folder of `dir`: the database (`cas.db`, through
 * SQLite's online backup API, so it is consistent while the CAS runs), its key store
 * (`cas.key-store`) and `snapshot.json`. Never the state directory: a snapshot opens only on
 * an instance whose seal (or backup key) the key store has an entry for.
 *
 * @returns the folder. @throws CAS_BACKUP_SNAPSHOT_FAILED
 */
export async function takeSnapshot(
  source: SnapshotSource,
  dir: string,
  now: Date,
): Promise<string> {
  const folder = join(dir, folderName(now));
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (existsSync(folder)) throw new Error(`${folder} exists already (one snapshot per second)`);
    mkdirSync(folder, { mode: 0o700 });
    await source.backupDatabase(join(folder, 'cas.db'));
    copyFileSync(source.keyStorePath, join(folder, 'cas.key-store'));
    writeFileSync(
      join(folder, 'snapshot.json'),
      `${JSON.stringify({ created_at: now.toISOString(), cas_key_hash: source.casKeyHash, database: 'cas.db', key_store: 'cas.key-store' }, null, 2)}\n`,
      { mode: 0o600 },
    );
    return folder;
  } catch (cause) {
    throw new CasError('CAS_BACKUP_SNAPSHOT_FAILED', `cannot take a snapshot into ${folder}`, {
      cause,
    });
  }
}

/**
 * `cas snapshot` while no CAS runs on the database: the same snapshot, read through a
 * connection of its own. A running CAS holds the database exclusively; then use the owner
 * API (`POST /v1/snapshots`).
 *
 * @throws CAS_STORE_LOCKED, CAS_BACKUP_SNAPSHOT_FAILED
 */
export async function snapshotStoppedDatabase(
  options: {
    readonly databasePath: string;
    readonly keyStorePath: string;
    readonly casKeyHash: string;
  },
  dir: string,
  now: Date,
): Promise<string> {
  if (!existsSync(options.databasePath)) {
    throw new CasError(
      'CAS_BACKUP_SNAPSHOT_FAILED',
      `there is no database at ${options.databasePath}`,
    );
  }
  const db = new Database(options.databasePath, {
    readonly: true,
    fileMustExist: true,
    timeout: 0,
  });
  try {
    try {
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (cause) {
      throw new CasError(
        'CAS_STORE_LOCKED',
        `a running CAS holds ${options.databasePath}: take the snapshot through it (POST /v1/snapshots as its owner)`,
        { cause },
      );
    }
    return await takeSnapshot(
      {
        backupDatabase: async (path) => {
          await db.backup(path);
        },
        keyStorePath: options.keyStorePath,
        casKeyHash: options.casKeyHash,
      },
      dir,
      now,
    );
  } finally {
    db.close();
  }
}
