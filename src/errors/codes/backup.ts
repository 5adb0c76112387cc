import { defineCodes } from '../code-info.js';

/** Error codes of the backup area. Codes are never renamed or reused; see docs/errors.md. */
export const backupCodes = defineCodes({
  CAS_BACKUP_ATTESTATION_FAILED: {
    status: 422,
    exit: 3,
    summary:
      'The other CAS failed attestation for backup registration (another build, an older release, simulation without the test flag, or evidence not bound to its key and the nonce).',
  },
  CAS_BACKUP_AWAITING_REGISTRATION: {
    status: 503,
    exit: 4,
    summary:
      'This CAS replica has no entry in its database key store yet: it serves only /health, its identity and backup evidence until a registered replica runs scone cas register-backup for it.',
  },
  CAS_BACKUP_UNREACHABLE: {
    status: 502,
    exit: 4,
    summary: 'The backup CAS could not be reached from the primary.',
  },
  CAS_BACKUP_NOT_AVAILABLE: {
    status: 503,
    exit: 4,
    summary: 'This CAS was started without backup support (no key store to add entries to).',
  },
  CAS_BACKUP_SNAPSHOT_FAILED: {
    status: 503,
    exit: 4,
    summary: 'A snapshot (database and key store copy) could not be written; the cause says why.',
  },
  CAS_BACKUP_SNAPSHOT_NOT_CONFIGURED: {
    status: 409,
    exit: 1,
    summary: 'Snapshots need [snapshots] dir in the availability config (outside the state dir).',
  },
});
