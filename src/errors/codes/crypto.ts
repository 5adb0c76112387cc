import { defineCodes } from '../code-info.js';

/** Error codes of the crypto area. Codes are never renamed or reused; see docs/errors.md. */
export const cryptoCodes = defineCodes({
  CAS_CRYPTO_NOT_PEM: {
    status: 400,
    exit: 1,
    summary: 'The input is not a PEM certificate or public key.',
  },
});
