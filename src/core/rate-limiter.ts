/**
 * A sliding-window counter: at most `limit` events per `windowMs`. Used for provisioning
 * attempts, so that a 128-bit token cannot be guessed online and a flood cannot starve the
 * owner for long. Global, not per address: guessing can come from many addresses.
 */
export class RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  #events: number[] = [];

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Records an attempt at `nowMs`; returns false (and records nothing) when over the limit. */
  take(nowMs: number): boolean {
    this.#events = this.#events.filter((t) => t > nowMs - this.#windowMs);
    if (this.#events.length >= this.#limit) return false;
    this.#events.push(nowMs);
    return true;
  }
}
