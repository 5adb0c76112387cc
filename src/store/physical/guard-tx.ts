import { CasError } from '../../errors/cas-error.js';

/**
 * Wraps a transaction object so that it refuses calls after its transaction has ended (a
 * callback that leaked its `tx` into a timer would otherwise write outside any transaction).
 */
export function guardTx<T extends object>(tx: T, isOpen: () => boolean): T {
  return new Proxy(tx, {
    get(target, property, receiver): unknown {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        if (!isOpen()) {
          return Promise.reject(
            new CasError('CAS_INTERNAL', 'a store transaction object was used after it ended'),
          );
        }
        try {
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (error) {
          // Argument checks throw synchronously; callers of an async API expect a rejection.
          return Promise.reject(error instanceof Error ? error : new Error(String(error)));
        }
      };
    },
  });
}
