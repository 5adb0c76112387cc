import { CasError } from '../errors/cas-error.js';

/**
 * The lifecycle of a CAS (`interfaces.md` §3). `awaiting_registration`: a replica started on
 * a shared database whose key store has no entry for it; it shows its evidence so that a
 * registered replica can attest it (`scone cas register-backup`), and nothing else.
 */
export type LifecycleState = 'unprovisioned' | 'awaiting_registration' | 'provisioned';

/** Which state may follow which; anything else is a bug or a refused request. */
const transitions: Readonly<Record<LifecycleState, readonly LifecycleState[]>> = {
  unprovisioned: ['provisioned'],
  awaiting_registration: ['provisioned'],
  provisioned: [],
};

/** What each state allows, checked inside each use case (a table, not a lock). */
const allowed: Readonly<Record<LifecycleState, ReadonlySet<string>>> = {
  unprovisioned: new Set(['identity', 'evidence', 'provision', 'health']),
  awaiting_registration: new Set(['identity', 'evidence', 'health']),
  provisioned: new Set(['identity', 'evidence', 'health', 'owner', 'sessions', 'enclave']),
};

/** An operation group that {@link requireState} checks. */
export type Operation =
  'identity' | 'evidence' | 'provision' | 'health' | 'owner' | 'sessions' | 'enclave';

/**
 * Throws when `operation` is not allowed in `state`.
 *
 * @throws CAS_SERVER_ALREADY_PROVISIONED (provisioning twice), CAS_SERVER_NOT_PROVISIONED,
 *   CAS_BACKUP_AWAITING_REGISTRATION (a replica not yet registered for its database).
 */
export function requireState(state: LifecycleState, operation: Operation): void {
  if (allowed[state].has(operation)) return;
  if (state === 'awaiting_registration') {
    throw new CasError(
      'CAS_BACKUP_AWAITING_REGISTRATION',
      'this CAS replica is not registered for its database yet: run scone cas register-backup <its address> against a registered replica',
    );
  }
  if (operation === 'provision') {
    throw new CasError(
      'CAS_SERVER_ALREADY_PROVISIONED',
      'this CAS is already provisioned: it has an owner',
    );
  }
  throw new CasError(
    'CAS_SERVER_NOT_PROVISIONED',
    'this CAS is not provisioned yet: run scone cas provision first',
  );
}

/** True when `to` may follow `from`. */
export function canTransition(from: LifecycleState, to: LifecycleState): boolean {
  return transitions[from].includes(to);
}
