import { AsyncLocalStorage } from 'node:async_hooks';
import { CasError } from '../../errors/cas-error.js';

/**
 * Runs asynchronous jobs one at a time, in arrival order. Memory and SQLite transactions go
 * through one, so an awaited transaction callback can never interleave with another
 * transaction of the same process: that is what makes them serialisable.
 *
 * A job that starts another job of the same runner from inside itself would wait for itself
 * forever; that is refused at once, as a bug.
 */
export class SerialRunner {
  readonly #inside = new AsyncLocalStorage<SerialRunner>();
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #what: string;

  /** `what` names the resource in errors ("the SQLite store"). */
  constructor(what: string) {
    this.#what = what;
  }

  /**
   * Queues `job`; resolves or rejects with it.
   *
   * @throws CAS_STORE_CLOSED after {@link close}.
   */
  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#closed) {
      return Promise.reject(new CasError('CAS_STORE_CLOSED', `${this.#what} is closed`));
    }
    if (this.#inside.getStore() === this) {
      return Promise.reject(
        new CasError(
          'CAS_INTERNAL',
          `a transaction of ${this.#what} was started inside another one (it would deadlock)`,
        ),
      );
    }
    const result = this.#tail.then(() => this.#inside.run(this, job));
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Runs `fn` outside the context of the job it is called from: callbacks it schedules (a timer,
   * an immediate) may then queue jobs of their own instead of being refused as nested ones.
   */
  outside<T>(fn: () => T): T {
    return this.#inside.exit(fn);
  }

  /** Refuses new jobs and resolves when the queued ones have finished. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#tail;
  }

  /** True after {@link close}. */
  get closed(): boolean {
    return this.#closed;
  }
}
