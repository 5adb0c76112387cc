import { defineCodes } from '../code-info.js';

/** Codes that belong to no single area. */
export const generalCodes = defineCodes({
  CAS_INTERNAL: {
    status: 500,
    exit: 4,
    summary: 'A bug: an unexpected condition inside the CAS. Details go to the log only.',
  },
  CAS_NOT_IMPLEMENTED: {
    status: 501,
    exit: 1,
    summary: 'The command or route exists in the interface but is not built yet.',
  },
});
