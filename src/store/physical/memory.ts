import { keyBytes, listRange, checkVersion, valueBytes } from './check.js';
import type { ListOptions, PhysicalBackend, PhysicalRow, PhysicalTx } from './physical.js';
import { guardTx } from './guard-tx.js';
import { SerialRunner } from './serial-runner.js';

/** A row of the memory backend; `null` in a transaction's overlay marks a deletion. */
type Rows = Map<string, PhysicalRow>;

/**
 * An in-memory backend for tests and for `cas dev --ephemeral`-style runs: same contract as
 * the durable backends (serialised transactions, versions, byte-ordered listing), no
 * persistence beyond the object's life.
 */
export function createMemoryBackend(): PhysicalBackend {
  const rows: Rows = new Map();
  const runner = new SerialRunner('the memory store');
  return {
    kind: 'memory',
    transaction<T>(fn: (tx: PhysicalTx) => Promise<T>): Promise<T> {
      return runner.run(async () => {
        const overlay = new Map<string, PhysicalRow | null>();
        let open = true;
        try {
          const result = await fn(guardTx(memoryTx(rows, overlay), () => open));
          for (const [key, row] of overlay) {
            if (row === null) rows.delete(key);
            else rows.set(key, row);
          }
          return result;
        } finally {
          open = false;
        }
      });
    },
    describe: () => 'memory store (nothing persists; for tests only)',
    close: () => runner.close(),
  };
}

function memoryTx(rows: Rows, overlay: Map<string, PhysicalRow | null>): PhysicalTx {
  const current = (key: string): PhysicalRow | undefined => {
    const pending = overlay.get(key);
    if (pending === null) return undefined;
    return pending ?? rows.get(key);
  };
  const write = (key: string, value: Uint8Array, version: number): void => {
    overlay.set(key, { value: Uint8Array.from(valueBytes(value)), version });
  };
  return {
    get(key) {
      keyBytes(key);
      const row = current(key);
      return Promise.resolve(
        row === undefined ? undefined : { value: Uint8Array.from(row.value), version: row.version },
      );
    },
    put(key, value) {
      keyBytes(key);
      const version = (current(key)?.version ?? 0) + 1;
      write(key, value, version);
      return Promise.resolve(version);
    },
    delete(key) {
      keyBytes(key);
      const existed = current(key) !== undefined;
      if (existed) overlay.set(key, null);
      return Promise.resolve(existed);
    },
    list(prefix: string, options?: ListOptions) {
      const range = listRange(prefix, options);
      const keys = new Set([...rows.keys(), ...overlay.keys()]);
      const matching = [...keys]
        .filter((key) => current(key) !== undefined)
        .map((key) => ({ key, bytes: Buffer.from(key, 'utf8') }))
        .filter(
          ({ bytes }) =>
            bytes.subarray(0, range.prefix.length).equals(range.prefix) &&
            (range.after === null || Buffer.compare(bytes, range.after) > 0),
        )
        .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
        .map(({ key }) => key);
      return Promise.resolve(range.limit === null ? matching : matching.slice(0, range.limit));
    },
    compareAndSet(key, expectedVersion, value) {
      keyBytes(key);
      checkVersion(expectedVersion);
      if ((current(key)?.version ?? 0) !== expectedVersion) return Promise.resolve(false);
      write(key, value, expectedVersion + 1);
      return Promise.resolve(true);
    },
  };
}
