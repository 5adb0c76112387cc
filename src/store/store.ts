/**
 * The transactional key-value store as the layers above the encryption barrier see it: values
 * are plaintext bytes here; the barrier encrypts them before they reach a backend. Keys are
 * built only by `src/store/keys.ts`.
 *
 * This file is a contract between layers (core, audit, backends): changes are additive only.
 */
export interface StoreTx {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, value: Uint8Array): Promise<void>;
  /** Returns true when the key existed. */
  delete(key: string): Promise<boolean>;
  /** Keys with this prefix in ascending byte order, after `after` when given, at most `limit`. */
  list(
    prefix: string,
    options?: { readonly after?: string; readonly limit?: number },
  ): Promise<string[]>;
  /**
   * Writes `next` only when the current value equals `expected` (undefined = absent). Returns
   * whether it wrote.
   */
  compareAndSet(key: string, expected: Uint8Array | undefined, next: Uint8Array): Promise<boolean>;
}

export interface Store {
  /**
   * Runs `fn` in one transaction: commits when it resolves, rolls back when it throws. Two
   * transactions that write the same key cannot both commit (serialisable).
   *
   * With PostgreSQL, `fn` may run more than once (a serialization failure re-runs it from the
   * start), so it should only call the store and compute; outside effects belong after the
   * transaction resolves. Exhausted re-runs throw `CAS_STORE_CONFLICT`. A transaction started
   * inside another one of the same store is refused (`CAS_INTERNAL`). See docs/storage.md.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
