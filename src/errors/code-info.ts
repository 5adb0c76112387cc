/**
 * What every stable error code carries: the HTTP status the API answers with, the exit code the
 * CLI ends with, and a one-line summary that `docs/errors.md` repeats.
 *
 * Exit codes follow `interfaces.md` §4: 1 usage or local error, 2 not found, 3 refused or failed
 * check, 4 server or network error.
 */
export interface CodeInfo {
  readonly status: number;
  readonly exit: 1 | 2 | 3 | 4;
  readonly summary: string;
}

/** Helper that keeps each area's table literal (so its keys form a union) and checked. */
export function defineCodes<const T extends Record<`CAS_${string}`, CodeInfo>>(table: T): T {
  return table;
}
