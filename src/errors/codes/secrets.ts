import { defineCodes } from '../code-info.js';

/** Error codes of the secrets area. Codes are never renamed or reused; see docs/errors.md. */
export const secretsCodes = defineCodes({});
