import { defineCodes } from '../code-info.js';

/** Error codes of the audit area. Codes are never renamed or reused; see docs/errors.md. */
export const auditCodes = defineCodes({
  CAS_AUDIT_WRITE_FAILED: {
    status: 503,
    exit: 4,
    summary:
      'The audit log line of an operation could not be written and flushed, so the operation was not done.',
  },
  CAS_AUDIT_NOT_COMMITTED: {
    status: 409,
    exit: 4,
    summary:
      'Reason of an aborted line written at start for an entry whose transaction never committed (the CAS stopped).',
  },
  CAS_AUDIT_NO_CHECKPOINT: {
    status: 404,
    exit: 2,
    summary: 'The CAS has no audit checkpoint yet (the audit log was never enabled).',
  },
  CAS_AUDIT_NO_CAS_KEY: {
    status: 400,
    exit: 1,
    summary:
      'verify-audit-log needs the CAS key: give -c CAS_KEY_HASH or a pinned CAS (--cas NAME or a default).',
  },
  CAS_AUDIT_LOG_BROKEN: {
    status: 422,
    exit: 3,
    summary: 'verify-audit-log (exit 20): a line is edited, reordered, spliced or wrongly signed.',
  },
  CAS_AUDIT_OTHER_CAS: {
    status: 422,
    exit: 3,
    summary: 'verify-audit-log (exit 19): the log (or checkpoint) was written by another CAS.',
  },
  CAS_AUDIT_ROLLBACK: {
    status: 422,
    exit: 3,
    summary:
      "verify-audit-log (exit 18): the log and the CAS's checkpoint disagree: one of them was rolled back.",
  },
  CAS_AUDIT_ENTRIES_DELETED: {
    status: 422,
    exit: 3,
    summary: 'verify-audit-log (exit 17): entries are missing inside the log.',
  },
  CAS_AUDIT_ROLLBACK_UNCHECKED: {
    status: 422,
    exit: 3,
    summary:
      'verify-audit-log (exit 16): the log is intact but the CAS was not reachable, so rollback cannot be ruled out.',
  },
  CAS_AUDIT_MISSING_AT_START: {
    status: 422,
    exit: 3,
    summary: 'verify-audit-log (exit 15): entries are missing at the start of the log.',
  },
  CAS_AUDIT_MISSING_AT_END: {
    status: 422,
    exit: 3,
    summary:
      "verify-audit-log (exit 14): the log ends before the CAS's checkpoint (entries missing at the end).",
  },
  CAS_AUDIT_UNCOMMITTED_ENTRY: {
    status: 422,
    exit: 3,
    summary:
      'verify-audit-log (exit 10): one entry was written but its transaction did not commit (a single failed transaction).',
  },
});
