import type { Store } from '../store/store.js';

/** The logger core writes to (pino's signature); messages never contain secret values. */
export interface CasLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** One audit event as core reports it (`interfaces.md` §8); never a secret value. */
export interface AuditEvent {
  readonly event:
    | 'cas_provisioned'
    | 'config_updated'
    | 'session_created'
    | 'session_updated'
    | 'session_read'
    | 'access_denied'
    | 'service_attested'
    | 'attestation_refused';
  readonly session?: string;
  readonly hash?: string;
  readonly caller?: string;
  readonly service?: string;
  readonly measurement?: string;
  /** A coded reason (never a secret or an expected value). */
  readonly reason?: string;
}

/** Where audit events go; the audit engineer's log plugs in here (default: nowhere). */
export interface AuditHook {
  record(event: AuditEvent): Promise<void>;
}

/** Opens or creates the CAS database (the store above the encryption barrier). */
export interface StoreProvider {
  /** True when a database (its sealed key store) exists already. */
  exists(): boolean;
  /** Opens the existing database, unsealing its key. */
  open(): Promise<Store>;
  /**
   * Creates a new database. With `injectedKey` (the owner's `--database-key-file`), that is
   * the database key; otherwise a fresh key is generated and sealed to this instance.
   */
  create(injectedKey?: Uint8Array): Promise<Store>;
}

/** Time and randomness, injected so that use cases are testable. */
export interface Environment {
  now(): Date;
  randomBytes(n: number): Buffer;
}
