import { defineCodes } from '../code-info.js';

/** Error codes of the session area. Codes are never renamed or reused; see docs/errors.md. */
export const sessionCodes = defineCodes({
  CAS_SESSION_EXISTS: {
    status: 409,
    exit: 3,
    summary:
      'A session of that name exists; update it (`scone session update`, or a `predecessor` equal to its hash).',
  },
  CAS_SESSION_STALE_PREDECESSOR: {
    status: 409,
    exit: 3,
    summary:
      'The `predecessor` is not the hash of the active version (someone updated it first): read it again and retry.',
  },
  CAS_SESSION_NOT_FOUND: {
    status: 404,
    exit: 2,
    summary: 'No such session, or the caller may not read it (the two are not told apart).',
  },
  CAS_SESSION_UPDATE_DENIED: {
    status: 403,
    exit: 3,
    summary: "The caller is not in the session's `access_policy.update`.",
  },
  CAS_SESSION_NAMESPACE_DENIED: {
    status: 403,
    exit: 3,
    summary:
      'The name lies in a namespace whose session does not exist or whose `create_sessions` does not list the caller.',
  },
  CAS_SESSION_VERIFY_MISMATCH: {
    status: 409,
    exit: 3,
    summary: 'The local session file does not hash to the active version on the CAS.',
  },
});
