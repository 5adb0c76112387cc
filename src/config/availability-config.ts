import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDuration } from '../policy/duration.js';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { CasError } from '../errors/cas-error.js';
import { configError } from './config-error.js';
import { parseListenAddress, type ListenAddress } from './listen-address.js';

const schema = z.strictObject({
  database: z
    .strictObject({
      path: z.string().min(1).optional(),
      url: z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
        .optional(),
    })
    .prefault({}),
  api: z
    .strictObject({
      api_listen: z.string().default('0.0.0.0:8081'),
      enclave_listen: z.string().default('0.0.0.0:18765'),
      /** Worker processes serving the enclave API (TLS, HTTP); 0 serves it in the CAS process. */
      enclave_workers: z.int().min(0).max(64).default(0),
      /** Threads that parse session files and make their secrets; 0 does it on the event loop. */
      session_workers: z.int().min(0).max(64).default(0),
    })
    .prefault({}),
  platform: z
    .strictObject({
      mode: z.enum(['sim', 'auto']).default('sim'),
      state_dir: z.string().min(1).default('cas-state'),
    })
    .prefault({}),
  audit_log: z.strictObject({ path: z.string().min(1).default('cas-audit.log') }).prefault({}),
  snapshots: z
    .strictObject({ dir: z.string().min(1).optional(), interval: z.string().min(1).optional() })
    .prefault({}),
});

/** The validated availability config of `interfaces.md` §3, paths made absolute. */
export interface AvailabilityConfig {
  /** Where the config came from (`(defaults)` when no file was found). */
  readonly source: string;
  readonly database:
    | { readonly kind: 'sqlite'; readonly path: string; readonly keyStorePath: string }
    | { readonly kind: 'postgres'; readonly url: string };
  readonly apiListen: ListenAddress;
  readonly enclaveListen: ListenAddress;
  /** `[api] enclave_workers`: processes that serve the enclave API's TLS and HTTP (0: none). */
  readonly enclaveWorkers: number;
  /** `[api] session_workers`: threads that parse sessions and make secrets (0: none). */
  readonly sessionWorkers: number;
  readonly platformMode: 'sim';
  readonly stateDir: string;
  readonly auditLogPath: string;
  /** `[snapshots]`: where snapshots go, and how often (seconds) when taken on a schedule. */
  readonly snapshots: { readonly dir?: string; readonly intervalSeconds?: number };
}

/**
 * Reads the availability config: the file given with `-c`, else `./cas.toml` when present,
 * else the defaults. Relative paths are relative to the config file's folder (the working
 * folder for defaults).
 *
 * @throws CAS_CONFIG_UNREADABLE, CAS_CONFIG_SYNTAX, CAS_CONFIG_UNKNOWN_KEY (naming the key),
 *   CAS_CONFIG_BAD_VALUE (naming the key).
 */
export function loadAvailabilityConfig(file: string | undefined, cwd: string): AvailabilityConfig {
  const fallback = resolve(cwd, 'cas.toml');
  const path =
    file === undefined ? (existsSync(fallback) ? fallback : undefined) : resolve(cwd, file);
  if (path === undefined) return availabilityConfigFrom({}, '(defaults)', cwd);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new CasError('CAS_CONFIG_UNREADABLE', `cannot read config file ${path}`, { cause });
  }
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (cause) {
    const where = cause instanceof Error ? cause.message.split('\n')[0] : 'parse error';
    throw new CasError('CAS_CONFIG_SYNTAX', `${path}: not valid TOML: ${where}`, { cause });
  }
  return availabilityConfigFrom(raw, path, dirname(path));
}

/** Validates parsed TOML data; exported for tests and for `cas dev`, which builds its own. */
export function availabilityConfigFrom(
  raw: unknown,
  source: string,
  baseDir: string,
): AvailabilityConfig {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw configError(source, parsed.error);
  const c = parsed.data;
  if (c.database.path !== undefined && c.database.url !== undefined) {
    throw new CasError(
      'CAS_CONFIG_BAD_VALUE',
      `${source}: database.path and database.url exclude each other`,
      {
        details: { key: 'database.url' },
      },
    );
  }
  if (c.platform.mode === 'auto') {
    // `auto` must never fall back to simulation silently; no real TEE platform is built yet.
    throw new CasError(
      'CAS_CONFIG_BAD_VALUE',
      `${source}: platform.mode = "auto" found no TEE platform on this host (only "sim" is available in this release)`,
      { details: { key: 'platform.mode' } },
    );
  }
  const stateDir = resolve(baseDir, c.platform.state_dir);
  let database: AvailabilityConfig['database'];
  if (c.database.url !== undefined) {
    database = { kind: 'postgres', url: c.database.url };
  } else {
    const dbPath = resolve(baseDir, c.database.path ?? 'cas.db');
    if (dirname(dbPath) === stateDir) {
      throw new CasError(
        'CAS_CONFIG_BAD_VALUE',
        `${source}: platform.state_dir must not be the database's folder (the seal key would travel with database copies)`,
        { details: { key: 'platform.state_dir' } },
      );
    }
    database = {
      kind: 'sqlite',
      path: dbPath,
      keyStorePath: dbPath.replace(/(\.db)?$/, '.key-store'),
    };
  }
  return {
    source,
    database,
    apiListen: parseListenAddress(c.api.api_listen, 'api.api_listen'),
    enclaveListen: parseListenAddress(c.api.enclave_listen, 'api.enclave_listen'),
    enclaveWorkers: c.api.enclave_workers,
    sessionWorkers: c.api.session_workers,
    platformMode: 'sim',
    stateDir,
    auditLogPath: resolve(baseDir, c.audit_log.path),
    snapshots: snapshotsOf(c.snapshots, baseDir, stateDir, source),
  };
}

/** `[snapshots]`: a folder outside the state dir, and an interval such as `6h` or `1d`. */
function snapshotsOf(
  c: { dir?: string | undefined; interval?: string | undefined },
  baseDir: string,
  stateDir: string,
  source: string,
): AvailabilityConfig['snapshots'] {
  const dir = c.dir === undefined ? undefined : resolve(baseDir, c.dir);
  if (dir !== undefined && (dir === stateDir || dir.startsWith(`${stateDir}/`))) {
    throw new CasError(
      'CAS_CONFIG_BAD_VALUE',
      `${source}: snapshots.dir must not be inside platform.state_dir (snapshots never hold the instance keys)`,
      { details: { key: 'snapshots.dir' } },
    );
  }
  let intervalSeconds: number | undefined;
  if (c.interval !== undefined) {
    const seconds = parseDuration(c.interval);
    if (seconds === null || dir === undefined) {
      throw new CasError(
        'CAS_CONFIG_BAD_VALUE',
        `${source}: snapshots.interval must be a duration such as "6h" or "1d", with snapshots.dir set`,
        { details: { key: 'snapshots.interval' } },
      );
    }
    intervalSeconds = seconds;
  }
  return {
    ...(dir === undefined ? {} : { dir }),
    ...(intervalSeconds === undefined ? {} : { intervalSeconds }),
  };
}
