import { hkdfSync, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import pg from 'pg';
import { CasError } from '../errors/cas-error.js';
import { barrierInitialised, openBarrier, opensKeyring, type Barrier } from './barrier/barrier.js';
import type { PhysicalBackend } from './physical/physical.js';
import { openPostgresBackend } from './physical/postgres.js';
import { postgresPoolConfig, type PostgresOptions } from './physical/postgres-config.js';
import { postgresError } from './physical/postgres-errors.js';
import { openSqliteBackend } from './physical/sqlite.js';
import { addWrappedKeyFor, openOrCreateDatabaseKey } from './seal/database-key.js';
import { fileKeyStore, type KeyStoreIo } from './seal/key-store-io.js';
import type { KeyStoreSigner, KeyStoreVerifier } from './seal/key-store.js';
import { postgresKeyStore } from './seal/postgres-key-store.js';
import type { Sealer } from './seal/sealer.js';
import { createSimulationSealer } from './seal/simulation-sealer.js';
import { SecretKey } from './secret-key.js';

/** A SQLite file and its key store (default: beside it, see {@link keyStorePathFor}). */
export interface SqliteDatabaseConfig {
  readonly path: string;
  readonly keyStorePath?: string;
}

/**
 * The key store of a SQLite database: beside it, `.db` replaced by `.key-store` (`cas.db` →
 * `cas.key-store`, `interfaces.md` §3); other names get `.key-store` appended.
 */
export function keyStorePathFor(databasePath: string): string {
  return resolve(databasePath).replace(/(\.db)?$/, '.key-store');
}

/** Where the database is: a SQLite file, or a PostgreSQL server (key store in a table). */
export type DatabaseConfig = SqliteDatabaseConfig | PostgresOptions;

/** Options of {@link openStore}. */
export interface OpenStoreConfig {
  readonly database: DatabaseConfig;
  /** The instance state directory (seal key); never the database's directory. */
  readonly stateDir: string;
  /** Key hash of this CAS instance's CAS key. */
  readonly instanceKeyHash: string;
  /** Signs key-store entries with the CAS key. */
  readonly signer: KeyStoreSigner;
  /** Verifies key-store entries (this CAS's key, and CASes it attested). */
  readonly verifier: KeyStoreVerifier;
  /** The owner's database key (`--database-key-file`), 32 bytes. */
  readonly injectedKey?: Uint8Array;
  /** Refuse to create a new database (no key store yet): `CAS_STORE_UNSEALABLE`. */
  readonly mustExist?: boolean;
  /** The seal of this instance; default: the simulation seal in `stateDir`. */
  readonly sealer?: Sealer;
  /** The seal of this instance's backup key: opens an entry wrapped to it at registration. */
  readonly backupSealer?: Sealer;
  readonly now?: () => Date;
}

/** An open store and what the server needs to know and do about it. */
export interface OpenedStore {
  /** The store above the barrier (with `rotate()` for key rotation). */
  readonly store: Barrier;
  /** True when this start created the database key (a new database). */
  readonly databaseKeyCreated: boolean;
  /** True when the owner injected the database key (`db_key_injected` in the CAS's evidence). */
  readonly databaseKeyInjected: boolean;
  /** Lines for the server log: backend, seal (says "simulation" when it is), key origin. */
  describe(): string[];
  /**
   * A 32-byte key derived from the database key for one purpose (`label`, e.g.
   * `audit-hmac`), so the database key itself never leaves the store.
   */
  deriveKey(label: string): SecretKey;
  /**
   * Wraps the database key to a verified backup/replica CAS's public key (`cas-backup-v1`)
   * and adds the entry, signed by this CAS, to the key store.
   */
  addBackup(recipient: { readonly publicKey: KeyObject; readonly keyHash: string }): Promise<void>;
  /** Closes the store, releases the database lock and zeroes key material. */
  close(): Promise<void>;
  /** A consistent copy of the database file (SQLite only; see `PhysicalBackend.backupTo`). */
  backupTo?(path: string): Promise<void>;
}

/**
 * Opens the CAS database: the physical backend (taking its lock), the database key (unsealed
 * from the key store, or created and sealed for this instance), and the encryption barrier.
 *
 * @throws CAS_STORE_LOCKED, CAS_STORE_SCHEMA_TOO_NEW, CAS_STORE_STATE_DIR_IS_DB_DIR,
 *   CAS_STORE_UNSEALABLE, CAS_STORE_KEYSTORE_TAMPERED, CAS_STORE_WRONG_KEY, CAS_STORE_INTEGRITY
 */
export async function openStore(config: OpenStoreConfig): Promise<OpenedStore> {
  const { database } = config;
  if ('url' in database) {
    const sealer = config.sealer ?? createSimulationSealer({ stateDir: config.stateDir });
    const physical = await openPostgresBackend(database);
    return composeStore(config, { physical, sealer, keyStore: postgresKeyStore(physical.pool) });
  }
  const path = resolve(database.path);
  const sealer =
    config.sealer ??
    createSimulationSealer({ stateDir: config.stateDir, databaseDir: dirname(path) });
  const physical = openSqliteBackend({ path });
  const keyStore = fileKeyStore(database.keyStorePath ?? keyStorePathFor(path));
  return composeStore(config, { physical, sealer, keyStore });
}

/**
 * True when the database has a key store, i.e. it was created before (for SQLite: the file
 * key-store file exists; for PostgreSQL: the `cas_key_store` row exists). Opens nothing
 * for long and takes no lock.
 *
 * @throws CAS_STORE_UNAVAILABLE, CAS_STORE_CONFIG_INVALID (PostgreSQL)
 */
export async function storeExists(database: DatabaseConfig): Promise<boolean> {
  if (!('url' in database)) {
    return existsSync(database.keyStorePath ?? keyStorePathFor(database.path));
  }
  const { config } = postgresPoolConfig(database);
  const client = new pg.Client(config);
  try {
    await client.connect();
    const { rows } = await client.query('SELECT 1 FROM cas_key_store WHERE id = 1');
    return rows.length === 1;
  } catch (error) {
    // 42P01: the table does not exist yet (a database no CAS has opened).
    if ((error as { code?: unknown }).code === '42P01') return false;
    throw postgresError(error, 'cannot check for the key store');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The parts {@link composeStore} joins; each backend's opener builds them. */
export interface StoreParts {
  readonly physical: PhysicalBackend;
  readonly sealer: Sealer;
  readonly keyStore: KeyStoreIo;
}

/**
 * Joins a physical backend, a seal and a key store into an {@link OpenedStore}. Closes the
 * backend when anything fails.
 */
export async function composeStore(
  config: Omit<OpenStoreConfig, 'database'>,
  parts: StoreParts,
): Promise<OpenedStore> {
  const { physical, sealer, keyStore } = parts;
  let databaseKey: SecretKey | undefined;
  try {
    const opened = await openOrCreateDatabaseKey({
      keyStore,
      sealer,
      ...(config.backupSealer === undefined ? {} : { backupSealer: config.backupSealer }),
      instanceKeyHash: config.instanceKeyHash,
      signer: config.signer,
      verifier: config.verifier,
      databaseExists: config.mustExist === true || (await barrierInitialised(physical)),
      checkKey: (key) => opensKeyring(physical, key),
      ...(config.injectedKey === undefined ? {} : { injectedKey: config.injectedKey }),
      ...(config.now === undefined ? {} : { now: config.now }),
    });
    databaseKey = opened.key;
    const store = await openBarrier({ physical, databaseKey });
    const key = databaseKey;
    const origin = opened.injected
      ? 'injected by the owner (the owner can read this database)'
      : opened.created
        ? 'created now and sealed to this instance'
        : 'unsealed from the key store';
    return {
      store,
      databaseKeyCreated: opened.created,
      databaseKeyInjected: opened.injected,
      describe: () => [
        physical.describe(),
        sealer.describe(),
        `database key: ${origin}; key store ${keyStore.where}; ${store.keyVersions().length} data key version(s)`,
      ],
      deriveKey: (label) => derive(key, label),
      addBackup: (recipient) =>
        addWrappedKeyFor({
          keyStore,
          key,
          recipientPublicKey: recipient.publicKey,
          recipientKeyHash: recipient.keyHash,
          signerKeyHash: config.instanceKeyHash,
          signer: config.signer,
          injected: opened.injected,
          ...(config.now === undefined ? {} : { now: config.now }),
        }),
      async close() {
        await store.close();
        key.dispose();
      },
      ...(physical.backupTo === undefined
        ? {}
        : { backupTo: (path: string) => physical.backupTo?.(path) ?? Promise.resolve() }),
    };
  } catch (error) {
    databaseKey?.dispose();
    await physical.close();
    throw error;
  }
}

function derive(key: SecretKey, label: string): SecretKey {
  if (label.length === 0) throw new CasError('CAS_INTERNAL', 'a derived key needs a label');
  const bytes = Buffer.from(
    hkdfSync('sha256', key.bytes, Buffer.alloc(0), `cas-derived-key-v1\0${label}`, 32),
  );
  const derived = new SecretKey(bytes);
  bytes.fill(0);
  return derived;
}
