import { setTimeout as sleepFor } from 'node:timers/promises';
import { isCasError } from '../errors/cas-error.js';

/** Options of {@link withStoreRetry}. */
export interface RetryOptions {
  /** Total attempts, the first included (default 5). */
  readonly attempts?: number;
  /** Delay before the second attempt; doubles each time (default 200 ms). */
  readonly baseDelayMs?: number;
  /** Upper bound of one delay (default 5 s). */
  readonly maxDelayMs?: number;
  /** Which failures are worth another attempt (default: `CAS_STORE_UNAVAILABLE`). */
  readonly retryOn?: (error: unknown) => boolean;
  /** Called before each wait, e.g. to log "database unavailable, retrying in 400 ms". */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Injected for tests. */
  readonly sleep?: (ms: number) => Promise<unknown>;
  /** Injected for tests: a number in [0, 1). */
  readonly random?: () => number;
}

/**
 * Runs `fn` until it succeeds, retrying failures that `retryOn` accepts with exponential
 * backoff and jitter (a delay uniformly in [d/2, d]) so that replicas restarted together do not
 * reconnect in lockstep. The last failure is rethrown unchanged.
 */
export async function withStoreRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 5000;
  const retryOn =
    options.retryOn ?? ((e: unknown) => isCasError(e) && e.code === 'CAS_STORE_UNAVAILABLE');
  const sleep = options.sleep ?? sleepFor;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || !retryOn(error)) throw error;
      const ceiling = Math.min(max, base * 2 ** (attempt - 1));
      const delay = Math.round(ceiling / 2 + (random() * ceiling) / 2);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay);
    }
  }
}
