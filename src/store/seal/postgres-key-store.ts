import type pg from 'pg';
import { postgresError } from '../physical/postgres-errors.js';
import type { KeyStoreIo } from './key-store-io.js';

/**
 * The key store as the one-row table `cas_key_store` of the PostgreSQL database, so that every
 * replica finds it; each instance's state directory holds only its own keys. Writes compare
 * the row version, so two replicas registering at once cannot overwrite each other.
 */
export function postgresKeyStore(pool: pg.Pool): KeyStoreIo {
  const query = async <R extends pg.QueryResultRow>(sql: string, args: unknown[] = []) => {
    try {
      return await pool.query<R>(sql, args);
    } catch (error) {
      throw postgresError(error, 'cannot reach the key store table');
    }
  };
  return {
    where: 'table cas_key_store',
    async read() {
      const { rows } = await query<{ document: string; version: string }>(
        'SELECT document, version FROM cas_key_store WHERE id = 1',
      );
      const row = rows[0];
      return row === undefined ? undefined : { text: row.document, version: Number(row.version) };
    },
    async write(text, expected) {
      const result =
        expected === 0
          ? await query(
              'INSERT INTO cas_key_store (id, document, version) VALUES (1, $1, 1) ON CONFLICT (id) DO NOTHING',
              [text],
            )
          : await query(
              'UPDATE cas_key_store SET document = $1, version = version + 1 WHERE id = 1 AND version = $2',
              [text, expected],
            );
      return result.rowCount === 1;
    },
  };
}
