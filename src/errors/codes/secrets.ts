import { defineCodes } from '../code-info.js';

/** Error codes of the secrets area. Codes are never renamed or reused; see docs/errors.md. */
export const secretsCodes = defineCodes({
  CAS_SECRETS_UNKNOWN_KIND: {
    status: 400,
    exit: 1,
    summary: 'A secret declares a kind the CAS cannot generate or store.',
  },
  CAS_SECRETS_INVALID_PARAMS: {
    status: 400,
    exit: 1,
    summary: 'A generation parameter of a secret is out of range (size, key type, validity).',
  },
  CAS_SECRETS_INVALID_VALUE: {
    status: 400,
    exit: 1,
    summary:
      'An explicit secret value is malformed (PEM that does not parse, key not matching its certificate, bad hex, wrong size).',
  },
  CAS_SECRETS_BAD_REFERENCE: {
    status: 400,
    exit: 1,
    summary:
      'A secret refers to a private key or issuer that is missing, of the wrong kind, or part of a cycle.',
  },
  CAS_SECRETS_RENDER_FAILED: {
    status: 422,
    exit: 3,
    summary:
      'A $$SCONE::...$$ placeholder could not be rendered (unknown secret, missing private key, format not allowed here).',
  },
  CAS_SECRETS_STORED_INVALID: {
    status: 500,
    exit: 4,
    summary: 'A stored secret value does not have the expected shape (corruption or a bug).',
  },
  CAS_SECRETS_IMPORT_DENIED: {
    status: 403,
    exit: 3,
    summary: 'The exporting session does not export this secret to the importing session.',
  },
});
