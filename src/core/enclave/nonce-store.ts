import { timingSafeEqual } from 'node:crypto';
import { CasError } from '../../errors/cas-error.js';

/** Options of a {@link NonceStore}. */
export interface NonceStoreOptions {
  /** Nonce lifetime; 60 s by default (`architecture.md`). */
  readonly ttlMs?: number;
  /** Outstanding nonces per client address; 64 by default. */
  readonly maxPerAddress?: number;
  readonly now: () => number;
  readonly randomBytes: (n: number) => Buffer;
}

interface Entry {
  readonly nonce: Buffer;
  readonly expiresAt: number;
  readonly address: string;
  live: boolean;
}

/** Length of a nonce in bytes. */
export const NONCE_BYTES = 32;

/**
 * Challenge nonces held in the state of the TLS connection that asked for them: one
 * outstanding nonce per connection (a new challenge replaces the old one), single use, valid
 * for `ttlMs`. Because the nonce lives with the connection object, evidence cannot be replayed
 * on another connection, and no database round trip is needed. Outstanding nonces are capped
 * per client address so that one client cannot fill memory.
 */
export class NonceStore {
  private readonly ttlMs: number;
  private readonly maxPerAddress: number;
  private readonly byConnection = new WeakMap<object, Entry>();
  private readonly byAddress = new Map<string, Set<Entry>>();
  private readonly options: NonceStoreOptions;

  constructor(options: NonceStoreOptions) {
    this.options = options;
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxPerAddress = options.maxPerAddress ?? 64;
  }

  /**
   * Issues a fresh nonce for `connection`, replacing any it held.
   *
   * @throws CAS_ENCLAVE_TOO_MANY_CHALLENGES when the address has too many outstanding nonces.
   */
  issue(connection: object, address: string): Buffer {
    this.release(connection);
    const entries = this.sweep(address);
    if (entries.size >= this.maxPerAddress) {
      throw new CasError(
        'CAS_ENCLAVE_TOO_MANY_CHALLENGES',
        `too many outstanding challenges from this address (at most ${this.maxPerAddress}); ` +
          'use them or wait until they expire',
      );
    }
    const entry: Entry = {
      nonce: this.options.randomBytes(NONCE_BYTES),
      expiresAt: this.options.now() + this.ttlMs,
      address,
      live: true,
    };
    entries.add(entry);
    this.byAddress.set(address, entries);
    this.byConnection.set(connection, entry);
    return Buffer.from(entry.nonce);
  }

  /**
   * Takes the nonce of `connection` (single use: it is gone afterwards, whatever happens next).
   * When `expected` is given it must equal the held nonce.
   *
   * @throws CAS_ENCLAVE_NONCE_UNKNOWN when this connection holds no (such) nonce: never asked,
   *   already used, or asked on another connection.
   * @throws CAS_ENCLAVE_NONCE_EXPIRED when it is older than the lifetime.
   */
  consume(connection: object, expected?: Uint8Array): Buffer {
    const entry = this.byConnection.get(connection);
    if (entry === undefined || !entry.live) {
      throw new CasError(
        'CAS_ENCLAVE_NONCE_UNKNOWN',
        'no challenge is outstanding on this TLS connection: ask for a challenge and attest on the same connection, once',
      );
    }
    this.release(connection);
    if (
      expected !== undefined &&
      (expected.length !== entry.nonce.length || !timingSafeEqual(expected, entry.nonce))
    ) {
      throw new CasError(
        'CAS_ENCLAVE_NONCE_UNKNOWN',
        'the nonce is not the one issued on this TLS connection',
      );
    }
    if (this.options.now() > entry.expiresAt) {
      throw new CasError(
        'CAS_ENCLAVE_NONCE_EXPIRED',
        `the challenge expired (nonces live ${this.ttlMs / 1000} s): ask for a new one`,
      );
    }
    return entry.nonce;
  }

  /** Forgets the nonce of a connection (called when the connection closes). */
  release(connection: object): void {
    const entry = this.byConnection.get(connection);
    if (entry === undefined) return;
    this.byConnection.delete(connection);
    entry.live = false;
    const entries = this.byAddress.get(entry.address);
    entries?.delete(entry);
    if (entries?.size === 0) this.byAddress.delete(entry.address);
  }

  /** Number of outstanding nonces of an address (for tests and metrics). */
  outstanding(address: string): number {
    return this.sweep(address).size;
  }

  private sweep(address: string): Set<Entry> {
    const entries = this.byAddress.get(address) ?? new Set<Entry>();
    const now = this.options.now();
    for (const entry of entries) {
      // An expired entry stops counting against the address but stays with its connection,
      // so that using it reports "expired" rather than "unknown".
      if (!entry.live || now > entry.expiresAt) entries.delete(entry);
    }
    return entries;
  }
}
