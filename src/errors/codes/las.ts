import { defineCodes } from '../code-info.js';

/** Error codes of the las area. Codes are never renamed or reused; see docs/errors.md. */
export const lasCodes = defineCodes({
  CAS_LAS_BAD_REQUEST: {
    status: 400,
    exit: 1,
    summary:
      'The LAS request is malformed: report_data must be 128 hex, with a program path or a measurement.',
  },
  CAS_LAS_NOT_FOUND: {
    status: 404,
    exit: 2,
    summary: 'The LAS has no such route.',
  },
  CAS_LAS_STATE_DIR: {
    status: 400,
    exit: 1,
    summary: 'The LAS state directory or its platform key file is unusable (permissions, content).',
  },
  CAS_LAS_LISTEN_INVALID: {
    status: 400,
    exit: 1,
    summary: 'The LAS --listen address is not HOST:PORT.',
  },
});
