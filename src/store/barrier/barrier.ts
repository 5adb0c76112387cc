import { timingSafeEqual } from 'node:crypto';
import { CasError } from '../../errors/cas-error.js';
import { keyBytes } from '../physical/check.js';
import type { PhysicalBackend, PhysicalTx } from '../physical/physical.js';
import { SecretKey } from '../secret-key.js';
import type { Store, StoreTx } from '../store.js';
import { decodeKeyring, encodeKeyring, type KeyringTerm } from './keyring.js';
import { decryptValue, encryptValue, keyVersionOf } from './value-codec.js';

/** Physical prefix of every value stored through the barrier. */
const DATA_PREFIX = 'd/';
/** Physical row of the keyring: outside the data prefix, so no store key can reach it. */
const KEYRING_KEY = 'k/keyring';

/** The store above the barrier, plus the barrier's own lifecycle. */
export interface Barrier extends Store {
  /** Adds a key version; new writes use it, values under older versions stay readable. */
  rotate(): Promise<number>;
  /** Key versions and when they were added, oldest first (no key material). */
  keyVersions(): readonly { readonly version: number; readonly createdAt: number }[];
  /** Re-encrypts the keyring under a new database key (the caller re-wraps the key store). */
  rekey(newDatabaseKey: SecretKey): Promise<void>;
}

/** Options of {@link openBarrier}. */
export interface BarrierOptions {
  readonly physical: PhysicalBackend;
  /** The unsealed database key; the barrier keeps its own copy and zeroes it on close. */
  readonly databaseKey: SecretKey;
  /** Clock for key-version timestamps. */
  readonly now?: () => number;
}

/**
 * Opens the encryption barrier over a physical backend: creates the keyring on first use,
 * otherwise checks that the database key opens it. Values are encrypted with AES-256-GCM under
 * the newest keyring term; the associated data binds each ciphertext to its storage key, row
 * version and key version. Nothing below this layer sees plaintext.
 *
 * @throws CAS_STORE_WRONG_KEY, CAS_STORE_INTEGRITY
 */
export async function openBarrier(options: BarrierOptions): Promise<Barrier> {
  const { physical } = options;
  const now = options.now ?? Date.now;
  let databaseKey = new SecretKey(options.databaseKey.bytes);
  let terms: KeyringTerm[] = [];

  /** Reads the keyring row without touching the cache (the transaction may still roll back). */
  const readKeyring = async (tx: PhysicalTx) => {
    const row = await tx.get(KEYRING_KEY);
    if (row === undefined) return { rowVersion: 0, stored: [] as KeyringTerm[] };
    return {
      rowVersion: row.version,
      stored: decodeKeyring(row.value, databaseKey, KEYRING_KEY, row.version),
    };
  };
  /**
   * Adds committed terms to the cache. A term never changes once written, so the cache only
   * grows; keys already cached stay in use (a running transaction may hold them).
   */
  const remember = (found: readonly KeyringTerm[]): void => {
    for (const term of found) {
      if (terms.some((t) => t.version === term.version)) term.key.dispose();
      else terms = [...terms, term].sort((a, b) => a.version - b.version);
    }
  };
  const writeKeyring = async (tx: PhysicalTx, expected: number, next: readonly KeyringTerm[]) => {
    const value = encodeKeyring(next, databaseKey, KEYRING_KEY, expected + 1);
    if (!(await tx.compareAndSet(KEYRING_KEY, expected, value))) {
      throw new CasError('CAS_STORE_CONFLICT', 'the keyring changed during this transaction');
    }
  };
  /** Adds a term inside `tx`; the caller caches the result only after the commit. */
  const addTerm = async (tx: PhysicalTx): Promise<KeyringTerm[]> => {
    const { rowVersion, stored } = await readKeyring(tx);
    const version = Math.max(0, ...stored.map((t) => t.version)) + 1;
    const next = [...stored, { version, createdAt: now(), key: SecretKey.generate() }];
    await writeKeyring(tx, rowVersion, next);
    return next;
  };
  const termFor = async (tx: PhysicalTx, stored: Uint8Array, key: string): Promise<SecretKey> => {
    const version = keyVersionOf(stored, key);
    // Another replica may have rotated since this one loaded the keyring: what this
    // transaction reads is committed, so it may go into the cache.
    if (!terms.some((t) => t.version === version)) remember((await readKeyring(tx)).stored);
    const term = terms.find((t) => t.version === version);
    if (term === undefined) {
      throw new CasError('CAS_STORE_INTEGRITY', `stored value of ${key}: unknown key version`);
    }
    return term.key;
  };
  const rotate = async (): Promise<number> => {
    const next = await physical.transaction(addTerm);
    remember(next);
    return next.at(-1)!.version;
  };

  remember(
    await physical.transaction(async (tx) => {
      const { rowVersion, stored } = await readKeyring(tx);
      return rowVersion === 0 ? addTerm(tx) : stored;
    }),
  );

  const barrierTx = (tx: PhysicalTx): StoreTx => {
    const read = async (key: string) => {
      keyBytes(key);
      const physicalKey = DATA_PREFIX + key;
      const row = await tx.get(physicalKey);
      if (row === undefined) return { physicalKey, version: 0, value: undefined };
      const keyOfRow = await termFor(tx, row.value, physicalKey);
      const value = decryptValue(row.value, keyOfRow, physicalKey, row.version);
      return { physicalKey, version: row.version, value };
    };
    const write = async (physicalKey: string, version: number, value: Uint8Array) => {
      const newest = terms.at(-1)!;
      const sealed = encryptValue(value, newest, physicalKey, version + 1);
      if (!(await tx.compareAndSet(physicalKey, version, sealed))) {
        throw new CasError('CAS_STORE_CONFLICT', `${physicalKey} changed during this transaction`);
      }
    };
    return {
      get: async (key) => (await read(key)).value,
      async put(key, value) {
        keyBytes(key);
        const physicalKey = DATA_PREFIX + key;
        const row = await tx.get(physicalKey);
        await write(physicalKey, row?.version ?? 0, value);
      },
      async delete(key) {
        keyBytes(key);
        return tx.delete(DATA_PREFIX + key);
      },
      async list(prefix, listOptions = {}) {
        const keys = await tx.list(DATA_PREFIX + prefix, {
          ...listOptions,
          ...(listOptions.after === undefined ? {} : { after: DATA_PREFIX + listOptions.after }),
        });
        return keys.map((key) => key.slice(DATA_PREFIX.length));
      },
      async compareAndSet(key, expected, next) {
        const current = await read(key);
        if (!sameValue(current.value, expected)) return false;
        await write(current.physicalKey, current.version, next);
        return true;
      },
    };
  };

  return {
    transaction: (fn) => physical.transaction((tx) => fn(barrierTx(tx))),
    rotate,
    keyVersions: () => terms.map(({ version, createdAt }) => ({ version, createdAt })),
    async rekey(newDatabaseKey) {
      const next = new SecretKey(newDatabaseKey.bytes);
      try {
        await physical.transaction(async (tx) => {
          const { rowVersion, stored } = await readKeyring(tx);
          const value = encodeKeyring(stored, next, KEYRING_KEY, rowVersion + 1);
          for (const term of stored) term.key.dispose();
          if (!(await tx.compareAndSet(KEYRING_KEY, rowVersion, value))) {
            throw new CasError('CAS_STORE_CONFLICT', 'the keyring changed during rekey');
          }
        });
      } catch (error) {
        next.dispose();
        throw error;
      }
      databaseKey.dispose();
      databaseKey = next;
    },
    async close() {
      await physical.close();
      for (const term of terms) term.key.dispose();
      terms = [];
      databaseKey.dispose();
    },
  };
}

/** Equality of two optional values in time independent of their content. */
function sameValue(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True when the backend holds a barrier keyring (the database has been initialised). */
export function barrierInitialised(physical: PhysicalBackend): Promise<boolean> {
  return physical.transaction(async (tx) => (await tx.get(KEYRING_KEY)) !== undefined);
}

/**
 * True when `databaseKey` opens the backend's keyring (false for another key).
 *
 * @throws CAS_STORE_INTEGRITY when the keyring is tampered with.
 */
export function opensKeyring(physical: PhysicalBackend, databaseKey: SecretKey): Promise<boolean> {
  return physical.transaction(async (tx) => {
    const row = await tx.get(KEYRING_KEY);
    if (row === undefined) return true;
    try {
      const terms = decodeKeyring(row.value, databaseKey, KEYRING_KEY, row.version);
      for (const term of terms) term.key.dispose();
      return true;
    } catch (error) {
      if (error instanceof CasError && error.code === 'CAS_STORE_WRONG_KEY') return false;
      throw error;
    }
  });
}
