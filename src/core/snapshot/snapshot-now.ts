import { CasError } from '../../errors/cas-error.js';
import type { BackupDeps } from '../backup/backup-deps.js';
import type { CasRuntime } from '../cas-runtime.js';
import type { Caller } from '../caller.js';
import { requireOwner } from '../provisioning/update-owner-config.js';

/**
 * `POST /v1/snapshots` (owner only): a snapshot of the running CAS's database and key store
 * into `[snapshots] dir`.
 *
 * @throws CAS_SERVER_NOT_OWNER, CAS_BACKUP_SNAPSHOT_NOT_CONFIGURED, CAS_BACKUP_SNAPSHOT_FAILED
 */
export async function snapshotNow(
  rt: CasRuntime,
  deps: BackupDeps | undefined,
  caller: Caller,
): Promise<{ folder: string }> {
  requireOwner(rt, caller);
  if (deps?.snapshot === undefined) {
    throw new CasError(
      'CAS_BACKUP_SNAPSHOT_NOT_CONFIGURED',
      'this CAS has no [snapshots] dir in its availability config',
    );
  }
  const folder = await deps.snapshot();
  rt.deps.logger.info({ folder }, 'snapshot taken');
  return { folder };
}
