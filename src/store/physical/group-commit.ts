import type Database from 'better-sqlite3';

/** One shared SQLite transaction and the promise its members wait on. */
interface Batch {
  readonly durable: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the one SQLite connection: the store's transactions join one SQLite
 * transaction, each inside its own savepoint, and that transaction commits (one fsync) when the
 * event loop has run the I/O callbacks that were ready, so that every request which arrived
 * in the meantime shares the fsync. better-sqlite3 is synchronous: a transaction runs from
 * start to end within one turn of the event loop, so committing each one at once gave every
 * transaction its own fsync however many requests were waiting.
 *
 * A member's result is handed out only when the shared commit is durable, reads included
 * (they may have seen an earlier member's writes): an answer never depends on data that a
 * failed commit could take back. A member that throws is rolled back to its savepoint alone; an
 * error that ends the whole SQLite transaction fails every member of its batch.
 *
 * Not thread-safe by design: every method runs inside the store's serial runner, except that
 * the commit is *scheduled* from outside and then queued on that runner.
 */
export class GroupCommit {
  readonly #db: Database.Database;
  readonly #schedule: (commit: () => void) => void;
  #current: Batch | undefined;

  /**
   * `schedule` runs the commit as a job of the store's serial runner after the event loop's
   * current I/O phase (or not at all once the store is closing: {@link flush} commits then).
   */
  constructor(db: Database.Database, schedule: (commit: () => void) => void) {
    this.#db = db;
    this.#schedule = schedule;
  }

  /**
   * Runs `member` in a savepoint of the open batch (beginning one when none is open) and returns
   * its result once the batch is durable.
   */
  async run<T>(member: () => Promise<T>): Promise<() => Promise<T>> {
    const batch = this.#join();
    this.#db.exec('SAVEPOINT cas_tx');
    try {
      const result = await member();
      this.#db.exec('RELEASE cas_tx');
      return () => batch.durable.then(() => result);
    } catch (error) {
      if (this.#db.inTransaction) {
        this.#db.exec('ROLLBACK TO cas_tx');
        this.#db.exec('RELEASE cas_tx');
      } else if (this.#current === batch) {
        // SQLite ended the whole transaction (I/O error, disk full): the earlier members'
        // writes are gone with it.
        this.#current = undefined;
        batch.reject(error);
      }
      throw error;
    }
  }

  /** Commits the open batch now (before a backup, on close); a no-op without one. */
  flush(): void {
    const batch = this.#current;
    if (batch === undefined) return;
    this.#current = undefined;
    try {
      this.#db.exec('COMMIT');
      batch.resolve();
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      batch.reject(error);
    }
  }

  #join(): Batch {
    if (this.#current !== undefined) return this.#current;
    this.#db.exec('BEGIN IMMEDIATE');
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const durable = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Members wait on it; a failed commit must not also count as an unhandled rejection.
    durable.catch(() => undefined);
    const batch: Batch = { durable, resolve, reject };
    this.#current = batch;
    this.#schedule(() => {
      if (this.#current === batch) this.flush();
    });
    return batch;
  }
}
