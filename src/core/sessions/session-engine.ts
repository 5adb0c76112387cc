import type { Creator, PolicyEntry, Session } from '../../policy/types.js';
import type { SecretValue } from '../../secrets/secret-value.js';
import type { StoredSecrets } from './session-records.js';

/** Randomness and time for secret generation. */
export interface SecretContext {
  readonly now: Date;
  randomBytes(n: number): Buffer;
  /**
   * The session's imports as its exporters allow them (`resolveImports`), so that a secret
   * can refer to an imported one (a certificate issued by an imported CA). Imported values are
   * used, never stored with the importer: provisioning resolves them again.
   */
  readonly imported?: ReadonlyMap<string, SecretValue>;
}

/**
 * What core needs from the session language (`src/policy/`) and the secret generators
 * (`src/secrets/`), as one port, so that use cases are tested against it and `bin/` wires the
 * real pure libraries in. Secret values cross it in their stored form
 * (`SecretValue.toStored()`), by name: core only stores them (through the barrier, each under
 * its own key) and hands them to provisioning.
 */
export interface SessionEngine {
  /**
   * Parses and validates a session file as uploaded (template variables were substituted by
   * the CLI); asynchronous where a worker thread parses. @throws CAS_POLICY_INVALID with every
   * issue in `details.issues`.
   */
  parse(text: string): Session | Promise<Session>;
  /** The session with `creator` set (kept from the first version on updates). */
  withCreator(session: Session, creator: Creator): Session;
  /** The session hash (`interfaces.md` §2) of a normalised session with its creator. */
  hash(session: Session): string;
  /** The namespace a name lives in (`a/b` for `a/b/c`, `NS` for `NS~rest`), or null. */
  parentNamespace(name: string): string | null;
  /** True when the caller passes `entries` (`CREATOR` meaning `creatorKeyHash`). */
  isAllowed(
    entries: readonly PolicyEntry[],
    callerKeyHash: string,
    creatorKeyHash: string,
  ): boolean;
  /** Generates the secrets of a new session. */
  generateSecrets(session: Session, ctx: SecretContext): Promise<StoredSecrets>;
  /** Keeps or re-generates the secrets of an updated session per the migration rules. */
  migrateSecrets(
    previous: Session,
    values: StoredSecrets,
    next: Session,
    ctx: SecretContext,
  ): Promise<StoredSecrets>;
}
