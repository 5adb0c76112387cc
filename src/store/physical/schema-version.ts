import { CasError } from '../../errors/cas-error.js';

/**
 * Refuses a schema version this code does not know (shared by the SQL backends).
 *
 * @throws CAS_STORE_SCHEMA_TOO_NEW, CAS_STORE_CONFIG_INVALID
 */
export function checkSchemaVersion(current: number, known: number): void {
  if (!Number.isSafeInteger(current) || current < 0) {
    throw new CasError('CAS_STORE_CONFIG_INVALID', 'the database has an unreadable schema version');
  }
  if (current > known) {
    throw new CasError(
      'CAS_STORE_SCHEMA_TOO_NEW',
      `the database has schema version ${current}, this CAS knows up to ${known}: a newer CAS release wrote it; upgrade this CAS`,
      { details: { schemaVersion: current, knownVersion: known } },
    );
  }
}
