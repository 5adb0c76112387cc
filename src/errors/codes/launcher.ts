import { defineCodes } from '../code-info.js';

/** Error codes of the launcher area. Codes are never renamed or reused; see docs/errors.md. */
export const launcherCodes = defineCodes({
  CAS_LAUNCHER_USAGE: {
    status: 400,
    exit: 1,
    summary:
      'cas-run was called wrongly: cas-run [--] PROGRAM [ARGS...] or cas-run --hash PROGRAM.',
  },
  CAS_LAUNCHER_ENV_INVALID: {
    status: 400,
    exit: 1,
    summary:
      'A SCONE_* variable has a bad value (SCONE_MODE, SCONE_CAS_ADDR, SCONE_CONFIG_ID, a key hash).',
  },
  CAS_LAUNCHER_PROGRAM_NOT_FOUND: {
    status: 400,
    exit: 1,
    summary: 'The program to run does not exist, is not a file, or is not executable.',
  },
  CAS_LAUNCHER_MODE_UNSUPPORTED: {
    status: 400,
    exit: 1,
    summary: 'SCONE_MODE=hw asks for hardware evidence, which this launcher cannot produce yet.',
  },
  CAS_LAUNCHER_LAS_UNREACHABLE: {
    status: 502,
    exit: 4,
    summary: 'The LAS at SCONE_LAS_ADDR did not answer or refused to sign a report.',
  },
  CAS_LAUNCHER_CAS_UNREACHABLE: {
    status: 502,
    exit: 4,
    summary: 'The CAS enclave API at SCONE_CAS_ADDR could not be reached over TLS 1.3.',
  },
  CAS_LAUNCHER_CAS_UNTRUSTED: {
    status: 403,
    exit: 3,
    summary:
      "The CAS's TLS chain does not contain the key pinned by SCONE_CAS_KEY_HASH / SCONE_CAS_SOFTWARE_KEY_HASH.",
  },
  CAS_LAUNCHER_BAD_RESPONSE: {
    status: 502,
    exit: 4,
    summary: 'The CAS answered with something that is not a configuration or a coded error.',
  },
  CAS_LAUNCHER_FILE_EXISTS: {
    status: 409,
    exit: 1,
    summary:
      'An injection file path already exists; cas-run never overwrites or deletes files it did not create.',
  },
  CAS_LAUNCHER_PWD_MISSING: {
    status: 400,
    exit: 1,
    summary: "The service's pwd is not a directory on the host where cas-run runs.",
  },
  CAS_LAUNCHER_FILE_WRITE: {
    status: 400,
    exit: 1,
    summary:
      'An injection file could not be written (no permission to create its directory or file).',
  },
  CAS_LAUNCHER_ISOLATION_UNAVAILABLE: {
    status: 400,
    exit: 1,
    summary:
      'CAS_RUN_ISOLATION=namespace was asked for, but cas-run cannot make a private mount namespace here (root, unshare and mount are needed).',
  },
  CAS_LAUNCHER_NAMESPACE_FAILED: {
    status: 400,
    exit: 1,
    summary:
      'The private mount namespace for the injection files could not be set up (unshare, mount or the in-namespace helper failed); nothing was started.',
  },
});
