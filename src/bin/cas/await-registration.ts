import type { Logger } from 'pino';
import type { CasRuntime } from '../../core/cas-runtime.js';
import { isCasError } from '../../errors/cas-error.js';

/** How often a replica awaiting registration looks for its key-store entry. */
const REGISTRATION_POLL_MS = 2000;

/**
 * A replica not yet registered for its shared database: says what the operator must run,
 * then re-reads the key store until a registered replica has added this CAS's entry, and
 * serves from then on (no restart).
 */
export function awaitRegistration(rt: CasRuntime, logger: Logger): void {
  if (rt.state !== 'awaiting_registration') return;
  logger.warn(
    { cas_key_hash: rt.keys.casKeyHash },
    'this replica is not registered for its database: it serves only /health, its identity and backup evidence; run `scone cas register-backup <this client API address>` against a registered replica',
  );
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    rt.completeRegistration().then(
      (done) => {
        busy = false;
        if (!done) return;
        clearInterval(timer);
        logger.info({ cas_key_hash: rt.keys.casKeyHash }, 'registered: serving the database');
      },
      (error: unknown) => {
        busy = false;
        logger.warn(
          { code: isCasError(error) ? error.code : 'CAS_INTERNAL' },
          'awaiting registration: the key store could not be opened yet',
        );
      },
    );
  }, REGISTRATION_POLL_MS);
  timer.unref();
}
