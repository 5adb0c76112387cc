import { openStore, storeExists, type OpenedStore, type OpenStoreConfig } from './open-store.js';
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
 * @throws CAS_STORE_UNAVAILABLE (PostgreSQL unreachable while checking for the key store)
 */
export async function createStoreProvider(
  config: Omit<OpenStoreConfig, 'injectedKey' | 'mustExist'>,
): Promise<DatabaseProvider> {
  let exists = await storeExists(config.database);
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
