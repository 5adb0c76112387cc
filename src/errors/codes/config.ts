import { defineCodes } from '../code-info.js';

/** Error codes of the config area. Codes are never renamed or reused; see docs/errors.md. */
export const configCodes = defineCodes({});
