import type { Logger } from 'pino';
import type { AvailabilityConfig } from '../../config/availability-config.js';
import type { CasRuntime } from '../../core/cas-runtime.js';
import { isCasError } from '../../errors/cas-error.js';

/** Takes a snapshot every `[snapshots] interval` while the CAS is provisioned. */
export function scheduleSnapshots(
  rt: CasRuntime,
  config: AvailabilityConfig,
  logger: Logger,
): void {
  const seconds = config.snapshots.intervalSeconds;
  const backups = rt.deps.backups;
  if (seconds === undefined || backups?.snapshot === undefined) return;
  const timer = setInterval(() => {
    if (rt.state !== 'provisioned') return;
    backups.snapshot?.().then(
      (folder) => logger.info({ folder }, 'scheduled snapshot taken'),
      (error: unknown) =>
        logger.error(
          { code: isCasError(error) ? error.code : 'CAS_INTERNAL' },
          'scheduled snapshot failed',
        ),
    );
  }, seconds * 1000);
  timer.unref();
}
