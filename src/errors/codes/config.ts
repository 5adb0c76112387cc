import { defineCodes } from '../code-info.js';

/** Error codes of the config area. Codes are never renamed or reused; see docs/errors.md. */
export const configCodes = defineCodes({
  CAS_CONFIG_UNREADABLE: {
    status: 400,
    exit: 1,
    summary: 'The config file given cannot be read.',
  },
  CAS_CONFIG_SYNTAX: {
    status: 400,
    exit: 1,
    summary: 'The config file is not valid TOML (or, for an owner config, TOML, JSON or YAML).',
  },
  CAS_CONFIG_UNKNOWN_KEY: {
    status: 400,
    exit: 1,
    summary: 'The config file has a key this CAS does not know; the message names it.',
  },
  CAS_CONFIG_BAD_VALUE: {
    status: 400,
    exit: 1,
    summary: 'A config value is missing or has the wrong type or form; the message names the key.',
  },
});
