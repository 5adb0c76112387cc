import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { CasError } from '../../errors/cas-error.js';
import { withStoreRetry } from '../retry.js';
import { checkVersion, keyBytes, listRange, valueBytes } from './check.js';
import type { ListOptions, PhysicalBackend, PhysicalTx } from './physical.js';
import { postgresPoolConfig, type PostgresOptions } from './postgres-config.js';
import { postgresError, isSerializationFailure } from './postgres-errors.js';
import { migratePostgres } from './postgres-schema.js';
import { guardTx } from './guard-tx.js';

/** A PostgreSQL backend, with its pool for the key-store table. */
export interface PostgresBackend extends PhysicalBackend {
  readonly pool: pg.Pool;
}

/**
 * Connects to PostgreSQL (retrying with backoff while it is unreachable), applies the schema
 * migrations, and returns a backend whose transactions are SERIALIZABLE: PostgreSQL detects
 * every read-write conflict between concurrent transactions (of this process or of other
 * replicas), and the loser is re-run from the start up to `maxRetries` times before
 * `CAS_STORE_CONFLICT`. That makes session updates linearisable without explicit row locks.
 *
 * @throws CAS_STORE_UNAVAILABLE, CAS_STORE_SCHEMA_TOO_NEW, CAS_STORE_CONFIG_INVALID
 */
export async function openPostgresBackend(options: PostgresOptions): Promise<PostgresBackend> {
  const { config, description } = postgresPoolConfig(options);
  const pool = new pg.Pool(config);
  // An idle connection that dies (server restart) must not crash the process; the next
  // checkout reconnects or reports CAS_STORE_UNAVAILABLE.
  pool.on('error', () => undefined);
  try {
    await withStoreRetry(
      async () => {
        const client = await connect(pool);
        try {
          await migratePostgres(client);
        } catch (error) {
          throw postgresError(error, 'cannot prepare the PostgreSQL schema');
        } finally {
          client.release();
        }
      },
      { attempts: options.connectAttempts ?? 5 },
    );
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return postgresBackend(pool, description, options.maxRetries ?? 10);
}

async function connect(pool: pg.Pool): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    throw postgresError(error, 'cannot connect to PostgreSQL');
  }
}

function postgresBackend(pool: pg.Pool, description: string, maxRetries: number): PostgresBackend {
  const inside = new AsyncLocalStorage<boolean>();
  const running = new Set<Promise<unknown>>();
  let closed = false;

  /**
   * A pooled connection inside BEGIN. A connection the server closed while it sat idle in the
   * pool fails at BEGIN, before anything ran: it is dropped and another tried, as many times
   * as the pool may hold dead connections.
   */
  const begin = async (): Promise<pg.PoolClient> => {
    for (let tries = 1; ; tries += 1) {
      const client = await connect(pool);
      try {
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
        return client;
      } catch (error) {
        client.release(true);
        if (tries > pool.options.max) {
          throw postgresError(error, 'cannot start a PostgreSQL transaction');
        }
      }
    }
  };

  const attempt = async <T>(fn: (tx: PhysicalTx) => Promise<T>): Promise<T> => {
    const client = await begin();
    const session = new TxSession(client);
    let open = true;
    let broken = false;
    try {
      const result = await inside.run(true, () => fn(guardTx(postgresTx(session), () => open)));
      open = false;
      const commit = await session.query('COMMIT');
      // PostgreSQL answers COMMIT of a transaction that an earlier statement aborted (whose
      // error the callback swallowed) with ROLLBACK, not an error: that must not pass as a commit.
      if (commit.command !== 'COMMIT') throw session.abortCause();
      return result;
    } catch (error) {
      open = false;
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      open = false;
      client.release(broken);
    }
  };

  const run = async <T>(fn: (tx: PhysicalTx) => Promise<T>): Promise<T> => {
    for (let retry = 0; ; retry += 1) {
      try {
        return await attempt(fn);
      } catch (error) {
        if (!isSerializationFailure(error))
          throw postgresError(error, 'a PostgreSQL transaction failed');
        if (retry >= maxRetries) {
          throw new CasError(
            'CAS_STORE_CONFLICT',
            `a concurrent transaction changed the same data ${retry + 1} times in a row; try again`,
            { cause: error },
          );
        }
        // Jittered, growing pause so the contenders do not collide again at once.
        await sleep(Math.random() * 5 * 2 ** Math.min(retry, 6));
      }
    }
  };

  return {
    kind: 'postgres',
    pool,
    transaction<T>(fn: (tx: PhysicalTx) => Promise<T>): Promise<T> {
      if (closed)
        return Promise.reject(new CasError('CAS_STORE_CLOSED', 'the PostgreSQL store is closed'));
      if (inside.getStore() === true) {
        return Promise.reject(
          new CasError('CAS_INTERNAL', 'a store transaction was started inside another one'),
        );
      }
      const job = run(fn);
      running.add(job);
      const forget = () => running.delete(job);
      job.then(forget, forget);
      return job;
    },
    describe: () => description,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...running]);
      await pool.end();
    },
  };
}

/**
 * The statements of one transaction: failures become store codes (serialization failures stay
 * raw so the transaction is re-run), and the first failure is kept for the COMMIT check.
 */
class TxSession {
  readonly #client: pg.PoolClient;
  #firstFailure: unknown;

  constructor(client: pg.PoolClient) {
    this.#client = client;
  }

  async query<R extends pg.QueryResultRow>(sql: string, args: unknown[] = []) {
    try {
      return await this.#client.query<R>(sql, args);
    } catch (error) {
      this.#firstFailure ??= error;
      throw postgresError(error, 'a PostgreSQL statement failed');
    }
  }

  /** Why the transaction was aborted: the first failed statement. */
  abortCause(): unknown {
    const first = this.#firstFailure;
    if (first === undefined) {
      return new CasError(
        'CAS_STORE_UNAVAILABLE',
        'PostgreSQL rolled back the transaction at COMMIT',
      );
    }
    return isSerializationFailure(first)
      ? first
      : postgresError(first, 'a PostgreSQL statement failed');
  }
}

function postgresTx(session: TxSession): PhysicalTx {
  const rows = async <R extends pg.QueryResultRow>(sql: string, args: unknown[]) =>
    (await session.query<R>(sql, args)).rows;
  return {
    async get(key) {
      const [row] = await rows<{ value: Buffer; version: string }>(
        'SELECT value, version FROM cas_kv WHERE key = $1',
        [keyBytes(key)],
      );
      return row === undefined
        ? undefined
        : { value: new Uint8Array(row.value), version: Number(row.version) };
    },
    async put(key, value) {
      const [row] = await rows<{ version: string }>(
        `INSERT INTO cas_kv (key, value, version) VALUES ($1, $2, 1)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, version = cas_kv.version + 1
         RETURNING version`,
        [keyBytes(key), valueBytes(value)],
      );
      return Number(row!.version);
    },
    async delete(key) {
      const result = await session.query('DELETE FROM cas_kv WHERE key = $1', [keyBytes(key)]);
      return (result.rowCount ?? 0) > 0;
    },
    async list(prefix: string, options?: ListOptions) {
      const range = listRange(prefix, options);
      const args: unknown[] = [range.prefix];
      const where = ['key >= $1'];
      if (range.upper !== null) where.push(`key < $${args.push(range.upper)}`);
      if (range.after !== null) where.push(`key > $${args.push(range.after)}`);
      let sql = `SELECT key FROM cas_kv WHERE ${where.join(' AND ')} ORDER BY key`;
      if (range.limit !== null) sql += ` LIMIT $${args.push(range.limit)}`;
      return (await rows<{ key: Buffer }>(sql, args)).map((row) => row.key.toString('utf8'));
    },
    async compareAndSet(key, expectedVersion, value) {
      checkVersion(expectedVersion);
      const k = keyBytes(key);
      const v = valueBytes(value);
      const result =
        expectedVersion === 0
          ? await session.query(
              'INSERT INTO cas_kv (key, value, version) VALUES ($1, $2, 1) ON CONFLICT (key) DO NOTHING',
              [k, v],
            )
          : await session.query(
              'UPDATE cas_kv SET value = $1, version = version + 1 WHERE key = $2 AND version = $3',
              [v, k, expectedVersion],
            );
      return result.rowCount === 1;
    },
  };
}
