import { defineCodes } from '../code-info.js';

/** Error codes of the store area. Codes are never renamed or reused; see docs/errors.md. */
export const storeCodes = defineCodes({
  CAS_STORE_LOCKED: {
    status: 503,
    exit: 4,
    summary:
      'Another CAS process holds this SQLite database; one process owns a database, its workers go through it.',
  },
  CAS_STORE_SCHEMA_TOO_NEW: {
    status: 503,
    exit: 1,
    summary: 'The database was written by a newer CAS release (newer schema); upgrade this CAS.',
  },
  CAS_STORE_INTEGRITY: {
    status: 503,
    exit: 4,
    summary:
      'A stored value failed authentication (tampered, swapped between rows, or replayed); nothing was returned.',
  },
  CAS_STORE_CONFLICT: {
    status: 409,
    exit: 4,
    summary:
      'A concurrent transaction changed the same data and the retries were exhausted; try again.',
  },
  CAS_STORE_UNAVAILABLE: {
    status: 503,
    exit: 4,
    summary: 'The database server cannot be reached; the CAS retries with backoff.',
  },
  CAS_STORE_CLOSED: {
    status: 503,
    exit: 4,
    summary: 'The store was closed (the CAS is shutting down).',
  },
  CAS_STORE_KEY_INVALID: {
    status: 400,
    exit: 1,
    summary: 'A storage key is empty, too long or not well-formed text.',
  },
  CAS_STORE_VALUE_TOO_LARGE: {
    status: 413,
    exit: 1,
    summary: 'A value exceeds the largest value the store accepts.',
  },
  CAS_STORE_WRONG_KEY: {
    status: 403,
    exit: 3,
    summary:
      'The database key does not open this database (wrong injected key or wrong key store).',
  },
  CAS_STORE_UNSEALABLE: {
    status: 503,
    exit: 3,
    summary:
      'This CAS instance is not registered for this database: no key-store entry it can open.',
  },
  CAS_STORE_KEYSTORE_TAMPERED: {
    status: 503,
    exit: 3,
    summary:
      'The key store is malformed or an entry carries no valid signature of a CAS; it was edited by hand.',
  },
  CAS_STORE_STATE_DIR_IS_DB_DIR: {
    status: 400,
    exit: 1,
    summary:
      'The instance state directory (seal key) must not be the database directory, or it would be copied with it.',
  },
  CAS_STORE_SEAL_KEY_INVALID: {
    status: 503,
    exit: 1,
    summary: 'The seal key file has the wrong size or is readable by other users.',
  },
  CAS_STORE_TLS_UNVERIFIED: {
    status: 503,
    exit: 3,
    summary:
      "The database server's TLS certificate could not be verified (unknown issuer, wrong name, expired) or it offers no TLS.",
  },
  CAS_STORE_CONFIG_INVALID: {
    status: 400,
    exit: 1,
    summary: 'The database configuration is invalid (location, TLS options).',
  },
});
