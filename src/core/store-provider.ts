import { openBarrier } from '../store/barrier/barrier.js';
import { createMemoryBackend } from '../store/physical/memory.js';
import type { PhysicalBackend } from '../store/physical/physical.js';
import { SecretKey } from '../store/secret-key.js';
import type { Store } from '../store/store.js';
import type { StoreProvider } from './ports.js';

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
