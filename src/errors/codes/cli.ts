import { defineCodes } from '../code-info.js';

/** Error codes of the cli area. Codes are never renamed or reused; see docs/errors.md. */
export const cliCodes = defineCodes({
  CAS_CLI_USAGE: {
    status: 400,
    exit: 1,
    summary: 'The command line is wrong: unknown command or option, missing or malformed argument.',
  },
  CAS_CLI_FILE_UNREADABLE: {
    status: 400,
    exit: 1,
    summary:
      'A file named on the command line cannot be read (missing, a directory, no permission).',
  },
  CAS_CLI_STATE_UNREADABLE: {
    status: 400,
    exit: 1,
    summary: 'The CLI state file (~/.cas/config.json) exists but cannot be read; it is left as is.',
  },
  CAS_CLI_STATE_CORRUPT: {
    status: 400,
    exit: 1,
    summary: 'The CLI state file is not valid JSON of the expected shape; it is never overwritten.',
  },
  CAS_CLI_STATE_WRITE_FAILED: {
    status: 400,
    exit: 1,
    summary: 'The CLI state file could not be written; the previous file is unchanged.',
  },
  CAS_CLI_IDENTITY_INVALID: {
    status: 400,
    exit: 1,
    summary: 'An identity must be a PKCS#8 private key PEM followed by its certificate PEM.',
  },
  CAS_CLI_IDENTITY_MISMATCH: {
    status: 400,
    exit: 1,
    summary: "The identity's private key does not belong to the public key of its certificate.",
  },
  CAS_CLI_CAS_UNKNOWN: {
    status: 404,
    exit: 2,
    summary: 'No CAS of that name is stored in the CLI state; attest it first (scone cas attest).',
  },
  CAS_CLI_NO_DEFAULT_CAS: {
    status: 404,
    exit: 2,
    summary: 'No CAS was named and none is the default; attest one or run scone cas set-default.',
  },
  CAS_CLI_SESSION_INVALID: {
    status: 422,
    exit: 3,
    summary: 'The session file failed validation; every problem is listed with line and column.',
  },
});
