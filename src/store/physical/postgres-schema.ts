import type { PoolClient } from 'pg';
import { checkSchemaVersion } from './schema-version.js';

/**
 * The PostgreSQL schema steps: step i takes the schema from version i to i + 1. Appended, never
 * edited. Keys are bytea, whose comparison is bytewise: the contract's order, no collation.
 */
const STEPS: readonly string[] = [
  `CREATE TABLE cas_kv (
     key bytea PRIMARY KEY,
     value bytea NOT NULL,
     version bigint NOT NULL CHECK (version >= 1)
   );
   CREATE TABLE cas_key_store (
     id smallint PRIMARY KEY CHECK (id = 1),
     document text NOT NULL,
     version bigint NOT NULL
   );`,
];

/** The schema version this code writes. */
export const POSTGRES_SCHEMA_VERSION = STEPS.length;

/** Arbitrary constant: the advisory lock replicas take while migrating. */
const MIGRATION_LOCK = 0x43415301;

/**
 * Creates or upgrades the schema at start, in one transaction under an advisory lock, so that
 * replicas starting together migrate once.
 *
 * @throws CAS_STORE_SCHEMA_TOO_NEW
 */
export async function migratePostgres(client: PoolClient): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS cas_meta (name text PRIMARY KEY, value text NOT NULL)',
    );
    const row = await client.query<{ value: string }>(
      "SELECT value FROM cas_meta WHERE name = 'schema_version'",
    );
    const current = row.rows[0] === undefined ? 0 : Number(row.rows[0].value);
    checkSchemaVersion(current, POSTGRES_SCHEMA_VERSION);
    for (let step = current; step < POSTGRES_SCHEMA_VERSION; step += 1) {
      await client.query(STEPS[step]!);
    }
    await client.query(
      `INSERT INTO cas_meta (name, value) VALUES ('schema_version', $1)
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
      [String(POSTGRES_SCHEMA_VERSION)],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
