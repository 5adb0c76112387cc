import { isKeyHash } from '../crypto/key-hash.js';
import { CasError } from '../errors/cas-error.js';
import type { CasPins } from './cas-pin.js';
import { parseHostPort, type HostPort } from './host-port.js';

/** Default enclave API port (`interfaces.md` §6). */
export const DEFAULT_CAS_PORT = 18765;
/** Default LAS address. */
export const DEFAULT_LAS_ADDR = '127.0.0.1:18766';
/**
 * Default CAS host. SCONE's runtime defaults to the host name `cas`; a launcher on a
 * development machine talks to a CAS on loopback, so ours defaults to 127.0.0.1. Set
 * SCONE_CAS_ADDR explicitly in containers.
 */
export const DEFAULT_CAS_HOST = '127.0.0.1';

/** How the launcher obtains evidence. */
export type LauncherMode = 'sim' | 'hw' | 'auto';

/** The launcher's settings, read from `SCONE_*` variables. */
export interface LauncherEnv {
  readonly configId?: string;
  readonly cas: HostPort;
  readonly las: HostPort;
  readonly mode: LauncherMode;
  readonly pins: CasPins;
}

function invalid(message: string): CasError {
  return new CasError('CAS_LAUNCHER_ENV_INVALID', message);
}

function address(env: NodeJS.ProcessEnv, name: string, fallback: string, port: number): HostPort {
  const text = env[name] === undefined || env[name] === '' ? fallback : env[name];
  const parsed = parseHostPort(text, port);
  if (parsed === null) throw invalid(`${name} must be host[:port], got "${text}"`);
  return parsed;
}

function keyHash(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (!isKeyHash(value)) {
    throw invalid(
      `${name} is not a key hash (Base58Check, as "scone cas show-identification" prints)`,
    );
  }
  return value;
}

/**
 * Reads `SCONE_CONFIG_ID`, `SCONE_CAS_ADDR`, `SCONE_LAS_ADDR`, `SCONE_MODE` (sim, hw, auto;
 * case-insensitive; default auto), `SCONE_CAS_KEY_HASH` and `SCONE_CAS_SOFTWARE_KEY_HASH`.
 *
 * @throws CAS_LAUNCHER_ENV_INVALID naming the variable.
 */
export function readLauncherEnv(env: NodeJS.ProcessEnv): LauncherEnv {
  const mode = (env['SCONE_MODE'] ?? 'auto').toLowerCase();
  if (mode !== 'sim' && mode !== 'hw' && mode !== 'auto') {
    throw invalid(`SCONE_MODE must be sim, hw or auto, got "${env['SCONE_MODE'] ?? ''}"`);
  }
  const configId = env['SCONE_CONFIG_ID'];
  if (configId !== undefined && configId !== '' && !/^[^/].*\/[^/]+$/.test(configId)) {
    throw invalid(`SCONE_CONFIG_ID must be <session>/<service>, got "${configId}"`);
  }
  const casKeyHash = keyHash(env, 'SCONE_CAS_KEY_HASH');
  const softwareKeyHash = keyHash(env, 'SCONE_CAS_SOFTWARE_KEY_HASH');
  return {
    ...(configId === undefined || configId === '' ? {} : { configId }),
    cas: address(env, 'SCONE_CAS_ADDR', DEFAULT_CAS_HOST, DEFAULT_CAS_PORT),
    las: address(env, 'SCONE_LAS_ADDR', DEFAULT_LAS_ADDR, 18766),
    mode,
    pins: {
      ...(casKeyHash === undefined ? {} : { casKeyHash }),
      ...(softwareKeyHash === undefined ? {} : { softwareKeyHash }),
    },
  };
}
