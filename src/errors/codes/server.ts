import { defineCodes } from '../code-info.js';

/**
 * Error codes of the server area: the CAS's HTTP layer, its lifecycle and provisioning, and the
 * client's view of a CAS (pinning, its attestation). Codes are never renamed or reused; see
 * docs/errors.md.
 */
export const serverCodes = defineCodes({
  CAS_SERVER_CLIENT_CERT_REQUIRED: {
    status: 401,
    exit: 3,
    summary: 'This route needs a TLS client certificate (the caller identity); none was presented.',
  },
  CAS_SERVER_BAD_REQUEST: {
    status: 400,
    exit: 1,
    summary: 'The request body or query is malformed or has fields the route does not know.',
  },
  CAS_SERVER_BODY_TOO_LARGE: {
    status: 413,
    exit: 1,
    summary: 'The request body is larger than the route allows.',
  },
  CAS_SERVER_ROUTE_NOT_FOUND: {
    status: 404,
    exit: 2,
    summary: 'No such route on this API (check the CAS address and port).',
  },
  CAS_SERVER_NOT_PROVISIONED: {
    status: 409,
    exit: 3,
    summary: 'The CAS has no owner yet; provision it first (`scone cas provision`).',
  },
  CAS_SERVER_ALREADY_PROVISIONED: {
    status: 409,
    exit: 3,
    summary: 'The CAS already has an owner; provisioning happens once.',
  },
  CAS_SERVER_BAD_TOKEN: {
    status: 403,
    exit: 3,
    summary: 'The provisioning token is not the one this CAS printed at start.',
  },
  CAS_SERVER_WRONG_CAS_KEY: {
    status: 403,
    exit: 3,
    summary: 'The CAS key hash given (-c) is not the key of the CAS that answered.',
  },
  CAS_SERVER_RATE_LIMITED: {
    status: 429,
    exit: 4,
    summary: 'Too many failed provisioning attempts; wait a minute and try again.',
  },
  CAS_SERVER_NOT_OWNER: {
    status: 403,
    exit: 3,
    summary: 'Only the owner of the CAS (the identity that provisioned it) may call this route.',
  },
  CAS_SERVER_DATABASE_KEY_INVALID: {
    status: 400,
    exit: 1,
    summary: 'An injected database key must be exactly 32 bytes, written as 64 hex characters.',
  },
  CAS_SERVER_STATE_INVALID: {
    status: 503,
    exit: 4,
    summary: 'The CAS state directory holds keys that cannot be unsealed or read.',
  },
  CAS_SERVER_LISTEN_FAILED: {
    status: 503,
    exit: 4,
    summary: 'The CAS could not listen on a configured address (in use, or not permitted).',
  },
  CAS_SERVER_UNREACHABLE: {
    status: 503,
    exit: 4,
    summary: 'The CAS could not be reached, or the connection failed before an answer came.',
  },
  CAS_SERVER_UNEXPECTED_RESPONSE: {
    status: 502,
    exit: 4,
    summary: 'The CAS answered something that is not a valid response of this API.',
  },
  CAS_SERVER_PIN_MISMATCH: {
    status: 403,
    exit: 3,
    summary:
      'The CAS presented a TLS key other than the attested one; run `scone cas attest` again if the change is expected.',
  },
  CAS_SERVER_EVIDENCE_INVALID: {
    status: 403,
    exit: 3,
    summary:
      'The evidence of the CAS does not verify, or is not bound to this connection, nonce and key.',
  },
  CAS_SERVER_ATTESTATION_REFUSED: {
    status: 403,
    exit: 3,
    summary:
      'The CAS verified but breaks a rule (simulation, debug, injected key, measurement, key hash); the message names the flag that would accept it.',
  },
  CAS_SERVER_ENCLAVE_WORKER_NO_ANSWER: {
    status: 503,
    exit: 4,
    summary:
      'An enclave worker got no answer from the CAS process in time (busy, or restarting); retry the workload start.',
  },
});
