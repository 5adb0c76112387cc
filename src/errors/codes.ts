import type { CodeInfo } from './code-info.js';
import { attestationCodes } from './codes/attestation.js';
import { auditCodes } from './codes/audit.js';
import { backupCodes } from './codes/backup.js';
import { cliCodes } from './codes/cli.js';
import { configCodes } from './codes/config.js';
import { cryptoCodes } from './codes/crypto.js';
import { enclaveCodes } from './codes/enclave.js';
import { generalCodes } from './codes/general.js';
import { lasCodes } from './codes/las.js';
import { launcherCodes } from './codes/launcher.js';
import { policyCodes } from './codes/policy.js';
import { secretsCodes } from './codes/secrets.js';
import { serverCodes } from './codes/server.js';
import { sessionCodes } from './codes/session.js';
import { storeCodes } from './codes/store.js';

/**
 * The registry of every stable error code. Each area owns its table in `codes/<area>.ts`; this
 * file only merges them, so adding a code never touches another area's file.
 */
export const errorCodes = {
  ...generalCodes,
  ...configCodes,
  ...policyCodes,
  ...cryptoCodes,
  ...cliCodes,
  ...storeCodes,
  ...serverCodes,
  ...sessionCodes,
  ...secretsCodes,
  ...attestationCodes,
  ...enclaveCodes,
  ...launcherCodes,
  ...lasCodes,
  ...auditCodes,
  ...backupCodes,
} as const satisfies Record<string, CodeInfo>;

/**
 * The area tables, for the meta test that no code is defined in two areas (the spread above
 * would let the later one win without a word).
 */
export const codeTables: readonly Readonly<Record<string, CodeInfo>>[] = [
  generalCodes,
  configCodes,
  policyCodes,
  cryptoCodes,
  cliCodes,
  storeCodes,
  serverCodes,
  sessionCodes,
  secretsCodes,
  attestationCodes,
  enclaveCodes,
  launcherCodes,
  lasCodes,
  auditCodes,
  backupCodes,
];

/** Every stable error code, as a union. */
export type CasErrorCode = keyof typeof errorCodes;

/** Looks up a code's status, exit code and summary. */
export function codeInfo(code: CasErrorCode): CodeInfo {
  return errorCodes[code];
}

/** True when `value` is a registered code (for data that arrives over the wire). */
export function isCasErrorCode(value: unknown): value is CasErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}
