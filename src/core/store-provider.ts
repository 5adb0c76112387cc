import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { openBarrier } from '../store/barrier/barrier.js';
import { createMemoryBackend } from '../store/physical/memory.js';
import type { PhysicalBackend } from '../store/physical/physical.js';
import { openSqliteBackend } from '../store/physical/sqlite.js';
import type { Sealer } from '../store/seal/sealer.js';
import { SecretKey } from '../store/secret-key.js';
import type { Store } from '../store/store.js';
import { CasError } from '../errors/cas-error.js';
import type { StoreProvider } from './ports.js';

const AAD = new TextEncoder().encode('cas-database-key-v1');

/**
 * A SQLite database under the encryption barrier, its key wrapped by `sealer` in the key store
 * file beside it. The database key exists in plaintext only in memory.
 *
 * @deprecated The server uses the store's `createStoreProvider` (signed key-store entries,
 *   PostgreSQL too); this simpler form remains for the benchmarks until they move over.
 */
export function createSqliteStoreProvider(options: {
  readonly dbPath: string;
  readonly keyStorePath: string;
  readonly sealer: Sealer;
}): StoreProvider {
  const { dbPath, keyStorePath, sealer } = options;
  const openWith = async (key: SecretKey): Promise<Store> => {
    const physical: PhysicalBackend = openSqliteBackend({ path: dbPath });
    try {
      return await openBarrier({ physical, databaseKey: key });
    } catch (error) {
      await physical.close();
      throw error;
    } finally {
      key.dispose();
    }
  };
  return {
    exists: () => existsSync(keyStorePath),
    async open() {
      let key: SecretKey | null;
      try {
        const doc = JSON.parse(readFileSync(keyStorePath, 'utf8')) as {
          fields: Record<string, string>;
        };
        key = await sealer.unwrap(doc.fields, AAD);
      } catch (cause) {
        throw new CasError(
          'CAS_SERVER_STATE_INVALID',
          `cannot read the key store ${keyStorePath}`,
          { cause },
        );
      }
      if (key === null) {
        throw new CasError(
          'CAS_SERVER_STATE_INVALID',
          `the seal of this instance does not open ${keyStorePath}`,
        );
      }
      return openWith(key);
    },
    async create(injectedKey) {
      const key = injectedKey === undefined ? SecretKey.generate(32) : new SecretKey(injectedKey);
      const fields = await sealer.wrap(key, AAD);
      const tmp = `${keyStorePath}.tmp`;
      writeFileSync(
        tmp,
        JSON.stringify({ method: sealer.method, injected: injectedKey !== undefined, fields }),
        {
          mode: 0o600,
        },
      );
      renameSync(tmp, keyStorePath);
      return openWith(key);
    },
  };
}

/** An in-memory database under the real barrier (tests; `exists` turns true once created). */
export function createMemoryStoreProvider(): StoreProvider {
  const physical = createMemoryBackend();
  let key: Uint8Array | undefined;
  const open = async (): Promise<Store> => {
    if (key === undefined) throw new Error('no database yet');
    const barrier = await openBarrier({
      physical: keepOpen(physical),
      databaseKey: new SecretKey(key),
    });
    return barrier;
  };
  return {
    exists: () => key !== undefined,
    open,
    async create(injectedKey) {
      key = injectedKey === undefined ? SecretKey.generate(32).bytes : Buffer.from(injectedKey);
      return open();
    },
  };
}

/** The memory backend survives a "restart" of the CAS in tests: closing it is a no-op. */
function keepOpen(physical: PhysicalBackend): PhysicalBackend {
  return new Proxy(physical, {
    get(target, prop, receiver) {
      if (prop === 'close') return () => Promise.resolve();
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}
