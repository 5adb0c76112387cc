import { defineCodes } from '../code-info.js';

/**
 * Error codes of the enclave area. Codes are never renamed or reused; see docs/errors.md.
 *
 * `CAS_ATTESTATION_REFUSED` and `CAS_SESSION_UNKNOWN_OR_DENIED` are the refusal categories of
 * the enclave API (`architecture.md` amendment 2); they are defined here, with the API that
 * answers with them, although their names carry the area of the check that failed.
 */
export const enclaveCodes = defineCodes({
  CAS_ATTESTATION_REFUSED: {
    status: 403,
    exit: 3,
    summary:
      'The workload was not attested for this service (evidence, binding, mode, platform or measurement); the response carries the observed claims, the CAS log the reason.',
  },
  CAS_SESSION_UNKNOWN_OR_DENIED: {
    status: 404,
    exit: 2,
    summary:
      'No configuration for this config id: the session or the service does not exist, or is not available.',
  },
  CAS_ENCLAVE_CONFIGURATION_UNAVAILABLE: {
    status: 409,
    exit: 3,
    summary:
      "The service's configuration cannot be rendered (a secret or placeholder); the CAS log names it.",
  },
  CAS_ENCLAVE_NONCE_UNKNOWN: {
    status: 403,
    exit: 3,
    summary:
      'No challenge is outstanding on this TLS connection (never asked, already used, or asked on another connection).',
  },
  CAS_ENCLAVE_NONCE_EXPIRED: {
    status: 403,
    exit: 3,
    summary: 'The challenge nonce is older than 60 s; ask for a new one.',
  },
  CAS_ENCLAVE_TOO_MANY_CHALLENGES: {
    status: 429,
    exit: 4,
    summary: 'Too many outstanding challenges from this client address.',
  },
  CAS_ENCLAVE_CLIENT_CERT_REQUIRED: {
    status: 401,
    exit: 3,
    summary:
      'The enclave API needs TLS 1.3 with a client certificate (the workload key), without session resumption.',
  },
  CAS_ENCLAVE_BAD_REQUEST: {
    status: 400,
    exit: 1,
    summary: 'The enclave API request body is malformed or has unknown fields.',
  },
});
