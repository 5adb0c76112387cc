/**
 * The physical storage contract: what a backend (memory, SQLite, PostgreSQL) provides below the
 * encryption barrier. A backend is completely untrusted: it only ever sees barrier ciphertext
 * and opaque keys, and everything it returns is authenticated by the barrier.
 *
 * Concurrency contract (every backend, checked by `test/conformance/store-conformance.ts`):
 * `transaction(fn)` is serialisable. Two transactions that read and then write the same key
 * never both commit on stale reads. A backend either runs transactions one after the other
 * (memory, SQLite: an in-process queue) or detects the conflict (PostgreSQL: SERIALIZABLE) and
 * re-runs `fn` from the start a bounded number of times before it throws `CAS_STORE_CONFLICT`.
 * So `fn` may run more than once: it must do nothing but store calls and pure computation, and
 * perform outside effects after the transaction resolves.
 */

/** One stored row: opaque bytes and a version that each write of the row increments. */
export interface PhysicalRow {
  readonly value: Uint8Array;
  /** 1 after the first write; +1 per write. A deleted and re-created row starts again at 1. */
  readonly version: number;
}

/** Options of {@link PhysicalTx.list}. */
export interface ListOptions {
  /** Only keys strictly greater (in byte order) than this one. */
  readonly after?: string;
  /** At most this many keys (a positive integer). */
  readonly limit?: number;
}

/** The operations of one physical transaction. */
export interface PhysicalTx {
  get(key: string): Promise<PhysicalRow | undefined>;
  /** Writes unconditionally; returns the row's new version. */
  put(key: string, value: Uint8Array): Promise<number>;
  /** Returns true when the key existed. */
  delete(key: string): Promise<boolean>;
  /** Keys that start with `prefix` (taken literally), ascending in UTF-8 byte order. */
  list(prefix: string, options?: ListOptions): Promise<string[]>;
  /**
   * Writes `value` as version `expectedVersion + 1` only when the row's current version is
   * `expectedVersion` (0 = the row is absent). Returns whether it wrote.
   */
  compareAndSet(key: string, expectedVersion: number, value: Uint8Array): Promise<boolean>;
}

/** A physical backend. */
export interface PhysicalBackend {
  /** Short name for logs: `memory`, `sqlite`, `postgres`. */
  readonly kind: string;
  /** Runs `fn` in one serialisable transaction; commits on resolve, rolls back on throw. */
  transaction<T>(fn: (tx: PhysicalTx) => Promise<T>): Promise<T>;
  /** One line for the server log: what the backend is and where (never credentials). */
  describe(): string;
  /** Waits for running transactions, then releases the database (and its lock). */
  close(): Promise<void>;
  /**
   * Writes a consistent copy of the database to `path` (SQLite's online backup API), queued
   * with the transactions so no commit lands halfway. Only backends with a local file.
   */
  backupTo?(path: string): Promise<void>;
}

/** Largest key, in UTF-8 bytes: a 1024-byte session name, escaped, fits with room to spare. */
export const MAX_KEY_BYTES = 4096;

/** Largest value, in bytes (barrier ciphertext included). */
export const MAX_VALUE_BYTES = 32 * 1024 * 1024;
