import { defineCodes } from '../code-info.js';

/** Error codes of the las area. Codes are never renamed or reused; see docs/errors.md. */
export const lasCodes = defineCodes({});
