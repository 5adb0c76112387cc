import { metaKey } from '../../store/keys.js';
import type { Store, StoreTx } from '../../store/store.js';

/**
 * Who holds a duty's lease and until when. Stored under `cas/meta/lease:<duty>` like any other
 * value (encrypted by the barrier), so every replica of one database sees the same record.
 */
export interface LeaseRecord {
  /** The replica holding it (a random id per process, see {@link LeaseOptions.holder}). */
  readonly holder: string;
  /** Milliseconds since the epoch after which another replica may take the lease. */
  readonly expiresAt: number;
}

/** Which duty, who asks, for how long, and the clock (core reads no clock itself). */
export interface LeaseOptions {
  /** The duty's name, e.g. `snapshot`, `key-rotation`, `audit-checkpoint`. */
  readonly duty: string;
  /** This replica's id: random per process, so a restarted replica is a new holder. */
  readonly holder: string;
  /** How long the lease lasts without renewal; longer than one run of the duty. */
  readonly ttlMs: number;
  readonly now: () => Date;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The storage key of a duty's lease. */
export function leaseKey(duty: string): string {
  return metaKey(`lease:${duty}`);
}

function decode(bytes: Uint8Array | undefined): LeaseRecord | undefined {
  if (bytes === undefined) return undefined;
  try {
    const parsed = JSON.parse(decoder.decode(bytes)) as Partial<LeaseRecord>;
    if (typeof parsed.holder === 'string' && typeof parsed.expiresAt === 'number') {
      return { holder: parsed.holder, expiresAt: parsed.expiresAt };
    }
  } catch {
    // A record no replica can read is treated as expired: the next acquirer overwrites it.
  }
  return undefined;
}

/** The lease as stored, inside the caller's transaction. */
export async function readLease(tx: StoreTx, duty: string): Promise<LeaseRecord | undefined> {
  return decode(await tx.get(leaseKey(duty)));
}

/**
 * True when `holder` holds the duty's lease at `nowMs`. A duty calls it inside the
 * transaction that writes its result: the read puts the lease row into that transaction, so
 * with serialisable transactions a replica whose lease was taken over cannot commit (fencing).
 */
export async function holdsLease(
  tx: StoreTx,
  duty: string,
  holder: string,
  nowMs: number,
): Promise<boolean> {
  const lease = await readLease(tx, duty);
  return lease !== undefined && lease.holder === holder && lease.expiresAt > nowMs;
}

/**
 * Takes or renews the lease of a duty: succeeds when nobody holds it, when it expired, or when
 * this holder already holds it. Two replicas asking at once cannot both succeed: the
 * read-then-write runs in one serialisable transaction (PostgreSQL re-runs the loser, which
 * then sees the winner's record).
 *
 * @returns the record written, or undefined when another replica holds the lease.
 */
export async function tryAcquireLease(
  store: Store,
  options: LeaseOptions,
): Promise<LeaseRecord | undefined> {
  if (!(options.ttlMs > 0)) throw new RangeError('a lease needs a positive ttlMs');
  const nowMs = options.now().getTime();
  return store.transaction(async (tx) => {
    const current = await readLease(tx, options.duty);
    if (current !== undefined && current.holder !== options.holder && current.expiresAt > nowMs) {
      return undefined;
    }
    const next: LeaseRecord = { holder: options.holder, expiresAt: nowMs + options.ttlMs };
    await tx.put(leaseKey(options.duty), encoder.encode(JSON.stringify(next)));
    return next;
  });
}

/** Gives the lease up (at shutdown) so another replica need not wait for it to expire. */
export async function releaseLease(
  store: Store,
  options: Pick<LeaseOptions, 'duty' | 'holder'>,
): Promise<boolean> {
  return store.transaction(async (tx) => {
    const current = await readLease(tx, options.duty);
    if (current?.holder !== options.holder) return false;
    return tx.delete(leaseKey(options.duty));
  });
}
