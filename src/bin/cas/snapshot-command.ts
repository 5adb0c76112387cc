import { resolve } from 'node:path';
import { loadAvailabilityConfig } from '../../config/availability-config.js';
import { snapshotStoppedDatabase } from '../../core/snapshot/take-snapshot.js';
import { CasError } from '../../errors/cas-error.js';
import { out } from './out.js';

/** `cas snapshot`: a snapshot of a database no CAS is running on. */
export async function snapshotCommand(
  configFile: string | undefined,
  opts: { dir?: string },
): Promise<void> {
  const config = loadAvailabilityConfig(configFile, process.cwd());
  const dir = opts.dir === undefined ? config.snapshots.dir : resolve(opts.dir);
  if (dir === undefined) {
    throw new CasError(
      'CAS_BACKUP_SNAPSHOT_NOT_CONFIGURED',
      'give --dir DIR or set [snapshots] dir',
    );
  }
  if (config.database.kind !== 'sqlite') {
    throw new CasError('CAS_BACKUP_SNAPSHOT_FAILED', 'cas snapshot copies SQLite databases only');
  }
  const folder = await snapshotStoppedDatabase(
    {
      databasePath: config.database.path,
      keyStorePath: config.database.keyStorePath,
      casKeyHash: '',
    },
    dir,
    new Date(),
  );
  out(`Snapshot written to ${folder}`);
}
