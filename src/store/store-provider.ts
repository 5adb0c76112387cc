import { CasError, isCasError } from '../errors/cas-error.js';
import { openStore, storeExists, type OpenedStore, type OpenStoreConfig } from './open-store.js';
import { withStoreRetry } from './retry.js';
import type { Store } from './store.js';

/**
 * The database as the server's lifecycle sees it (core's `StoreProvider` port): it exists
 * after provisioning created it, is opened on every later start, and `create` takes the
 * owner's injected key.
 */
export interface DatabaseProvider {
  /** True when the database was created (checked once at construction, then tracked). */
  exists(): boolean;
  /** Opens the existing database; `CAS_STORE_UNSEALABLE` when there is none. */
  open(): Promise<Store>;
  /** Creates the database (or opens it and checks `injectedKey` when it exists). */
  create(injectedKey?: Uint8Array): Promise<Store>;
  /** The last opened store with its extras (describe, deriveKey, addBackup, injected). */
  current(): OpenedStore | undefined;
}

/**
 * Builds a {@link DatabaseProvider} over {@link openStore} for either backend.
 *
 * @throws CAS_STORE_UNAVAILABLE (PostgreSQL still unreachable after the connect attempts,
 *   retried with backoff so that a server started with its database never half-starts)
 */
export async function createStoreProvider(
  config: Omit<OpenStoreConfig, 'injectedKey' | 'mustExist'>,
): Promise<DatabaseProvider> {
  const { database } = config;
  const attempts = 'url' in database ? (database.connectAttempts ?? 5) : 1;
  let exists: boolean;
  try {
    exists = await withStoreRetry(() => storeExists(database), { attempts });
  } catch (error) {
    if (!('url' in database) || !isCasError(error) || error.code !== 'CAS_STORE_UNAVAILABLE') {
      throw error;
    }
    throw new CasError(
      'CAS_STORE_UNAVAILABLE',
      `PostgreSQL at ${hostOf(database.url)} is unreachable after ${attempts} attempts (${error.message}); the CAS did not start`,
      { cause: error },
    );
  }
  let opened: OpenedStore | undefined;
  const remember = (next: OpenedStore): Store => {
    opened = next;
    exists = true;
    // Closing the store closes everything the open made, key copies included.
    return { transaction: (fn) => next.store.transaction(fn), close: () => next.close() };
  };
  return {
    exists: () => exists,
    open: async () => remember(await openStore({ ...config, mustExist: true })),
    create: async (injectedKey) =>
      remember(
        await openStore({ ...config, ...(injectedKey === undefined ? {} : { injectedKey }) }),
      ),
    current: () => opened,
  };
}

/** Host and port of a database URL for messages: never its user or password. */
function hostOf(url: string): string {
  try {
    return new URL(url).host || 'the configured address';
  } catch {
    return 'the configured address';
  }
}
