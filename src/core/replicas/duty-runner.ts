import type { CasLogger } from '../ports.js';
import type { Store } from '../../store/store.js';
import { releaseLease, tryAcquireLease, type LeaseOptions } from './lease.js';

/** A background duty that must run on one replica at a time (snapshot, key rotation, ...). */
export interface DutyRunnerOptions extends LeaseOptions {
  readonly store: Store;
  /** How often to try; the lease is renewed on each try, so keep it below `ttlMs`. */
  readonly intervalMs: number;
  /**
   * The duty. It should write its results in a transaction that also checks
   * `holdsLease(tx, duty, holder, now)`, so a replica that lost the lease mid-run cannot commit.
   */
  readonly run: () => Promise<void>;
  readonly logger: CasLogger;
}

/** A started runner; `stop()` waits for a run in progress and releases the lease. */
export interface DutyRunner {
  /** One round: take or renew the lease, run the duty if held. Returns whether it ran. */
  tick(): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * Runs a duty periodically on whichever replica holds its lease in the shared database, so
 * operators never have to pick "the" replica by hand: when the holder dies, its lease expires
 * and another replica takes over at its next tick. Failures are logged, never thrown: a
 * database outage must not stop the server, only the duty.
 */
export function startDutyRunner(options: DutyRunnerOptions): DutyRunner {
  const { store, logger, duty } = options;
  let running: Promise<boolean> = Promise.resolve(false);
  let stopped = false;
  const once = async (): Promise<boolean> => {
    if (stopped) return false;
    try {
      if ((await tryAcquireLease(store, options)) === undefined) return false;
      await options.run();
      return true;
    } catch (error) {
      logger.warn({ duty, err: error }, 'background duty failed; retrying at the next interval');
      return false;
    }
  };
  const tick = (): Promise<boolean> => {
    running = running.then(once, once);
    return running;
  };
  const timer = setInterval(() => void tick(), options.intervalMs);
  timer.unref();
  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await releaseLease(store, options).catch(() => false);
    },
  };
}
