import type { OwnerConfig } from '../config/owner-config.js';
import type { Store, StoreTx } from '../store/store.js';

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
    | 'attestation_refused'
    | 'backup_registered';
  readonly session?: string;
  readonly hash?: string;
  readonly caller?: string;
  readonly service?: string;
  readonly measurement?: string;
  /** A coded reason (never a secret or an expected value). */
  readonly reason?: string;
  /** A backup CAS's key hash. */
  readonly backup?: string;
  /** A client address, raw: the audit log HMACs it. */
  readonly address?: string;
  /** A certificate subject name, raw: the audit log HMACs it. */
  readonly subject?: string;
}

/** Where audit events go (`src/audit/audit-log.ts`; default: nowhere). */
export interface AuditHook {
  /**
   * Writes and flushes the event before it returns: inside `tx` (the operation's own
   * transaction, which then commits the checkpoint with it) or in a transaction of its own.
   *
   * @throws CAS_AUDIT_WRITE_FAILED: the operation must fail.
   */
  record(event: AuditEvent, tx?: StoreTx): Promise<void>;
  /** Applies the owner config's `[audit_log]` once the database is open or the config changed. */
  open?(store: Store, config: OwnerConfig): Promise<void>;
  /** The store the CAS uses, wrapped so that failed transactions get their `aborted` line. */
  wrapStore?(store: Store): Store;
  /** The signed checkpoint (owner route), or undefined before the first event. */
  checkpoint?(): Promise<unknown>;
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
