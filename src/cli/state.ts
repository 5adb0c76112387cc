import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { generateIdentity, parseIdentityPem, type Identity } from '../crypto/identity.js';
import { CasError, isCasError } from '../errors/cas-error.js';
import { pinnedCasSchema, type PinnedCas } from './pinned-cas.js';

export type { PinnedCas } from './pinned-cas.js';

/**
 * The CLI state file (`~/.cas/config.json`), in the shape SCONE's CLI writes (`scone-reference.md`
 * §2.7). Keys this CLI does not know (`session_signing_keypair_ed25519_seed`, `ias_report`, ...)
 * are kept as they are, so a state file shared with SCONE's CLI loses nothing.
 */
export interface CliState {
  /** PKCS#8 key PEM followed by the certificate PEM. Secret. */
  readonly identity: string;
  /** Name of the CAS commands use when none is named. */
  readonly default_cas?: string | undefined;
  /** Attested CASes by name. */
  readonly cas_db: Readonly<Record<string, PinnedCas>>;
  readonly [unknownKey: string]: unknown;
}

/** A loaded state file. */
export interface LoadedState {
  readonly path: string;
  readonly state: CliState;
  /** True when this call created the file (with a fresh identity). */
  readonly created: boolean;
}

/** Where the state file is: `--config FILE`, else `$SCONE_CLI_CONFIG`, else `~/.cas/config.json`. */
export function stateFilePath(options: {
  readonly config?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homedir: string;
}): string {
  const fromEnv = options.env['SCONE_CLI_CONFIG'];
  if (options.config !== undefined && options.config !== '') return options.config;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return join(options.homedir, '.cas', 'config.json');
}

const stateSchema = z.looseObject({
  identity: z.string().min(1),
  default_cas: z.string().min(1).optional(),
  cas_db: z.record(z.string(), z.looseObject({})).optional(),
});

/**
 * Loads the state file, creating it (mode 0600, parent directory 0700) with a fresh identity
 * when it does not exist. A file that exists but cannot be read or is not a valid state file
 * is an error and is never replaced. `warn` receives a warning when the file is readable or
 * writable by group or others.
 *
 * @throws CAS_CLI_STATE_UNREADABLE, CAS_CLI_STATE_CORRUPT, CAS_CLI_STATE_WRITE_FAILED.
 */
export async function loadState(
  path: string,
  warn: (message: string) => void,
): Promise<LoadedState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if (errnoCode(cause) !== 'ENOENT') {
      throw new CasError('CAS_CLI_STATE_UNREADABLE', `cannot read the CLI state file ${path}`, {
        cause,
        details: { path },
      });
    }
    return createState(path, warn);
  }
  await warnIfOpen(path, 'the CLI state file', warn);
  return { path, state: parseState(text, path), created: false };
}

/**
 * Parses state file text. Values are never quoted in errors: the file holds a private key.
 *
 * @throws CAS_CLI_STATE_CORRUPT.
 */
export function parseState(text: string, path: string): CliState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse messages quote the text around the error, which may be key material.
    throw corrupt(path, 'it is not valid JSON');
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : `${issue.path.join('.') || '(top level)'}: `;
    throw corrupt(path, `${where}${issue?.message ?? 'unexpected shape'}`);
  }
  const casDb = Object.fromEntries(
    Object.entries(parsed.data.cas_db ?? {}).map(([name, entry]) => {
      const pinned = pinnedCasSchema(name).safeParse(entry);
      if (!pinned.success) {
        const issue = pinned.error.issues[0];
        throw corrupt(path, `cas_db.${name}: ${issue?.message ?? 'unexpected shape'}`);
      }
      return [name, pinned.data] as const;
    }),
  );
  const state: CliState = { ...parsed.data, cas_db: casDb };
  if (state.default_cas !== undefined && !Object.hasOwn(casDb, state.default_cas)) {
    throw corrupt(path, `default_cas names "${state.default_cas}", which is not in cas_db`);
  }
  return state;
}

/**
 * The identity stored in a state.
 *
 * @throws CAS_CLI_STATE_CORRUPT (wrapping the identity error) when it is not a valid identity.
 */
export function stateIdentity(loaded: LoadedState): Identity {
  try {
    return parseIdentityPem(loaded.state.identity);
  } catch (cause) {
    if (!isCasError(cause)) throw cause;
    throw corrupt(loaded.path, 'its identity is not a valid key and certificate', cause);
  }
}

/**
 * Returns a state with `entry` pinned under `name`; the first CAS pinned becomes the default.
 */
export function withPinnedCas(state: CliState, name: string, entry: PinnedCas): CliState {
  return {
    ...state,
    cas_db: { ...state.cas_db, [name]: entry },
    default_cas: state.default_cas ?? name,
  };
}

/**
 * Writes the state file atomically: a new file with mode 0600 in the same directory, flushed,
 * then renamed over the old one, so a crash leaves either the old or the new file.
 *
 * @throws CAS_CLI_STATE_WRITE_FAILED.
 */
export async function saveState(path: string, state: CliState): Promise<void> {
  // A symlinked state file (dotfiles) is updated where it points, not replaced by a file.
  const target = await realpath(path).catch(() => path);
  const tmp = await writeTemp(target, state);
  try {
    await rename(tmp, target);
  } catch (cause) {
    await unlink(tmp).catch(() => undefined);
    throw writeFailed(path, cause);
  }
}

async function createState(path: string, warn: (message: string) => void): Promise<LoadedState> {
  const identity = await generateIdentity();
  const state: CliState = { identity: identity.toPem(), cas_db: {} };
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw writeFailed(path, cause);
  }
  const tmp = await writeTemp(path, state);
  try {
    // link() fails when the file appeared meanwhile (another scone run created it): then that
    // file wins and is loaded, so two concurrent first runs agree on one identity.
    await link(tmp, path);
  } catch (cause) {
    if (errnoCode(cause) !== 'EEXIST') throw writeFailed(path, cause);
    return loadState(path, warn);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  return { path, state, created: true };
}

async function writeTemp(path: string, state: CliState): Promise<string> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(state, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (cause) {
    await unlink(tmp).catch(() => undefined);
    throw writeFailed(path, cause);
  }
  return tmp;
}

/**
 * Warns when a file holding a private key is readable or writable by group or others.
 * `what` names the file in the warning ("the CLI state file", "the identity file").
 */
export async function warnIfOpen(
  path: string,
  what: string,
  warn: (message: string) => void,
): Promise<void> {
  if (process.platform === 'win32') return;
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    warn(
      `${what} ${path} holds your private key but has mode 0${mode.toString(8)}; run: chmod 600 ${path}`,
    );
  }
}

function corrupt(path: string, reason: string, cause?: unknown): CasError {
  return new CasError(
    'CAS_CLI_STATE_CORRUPT',
    `the CLI state file ${path} is not usable: ${reason}; it is left unchanged (fix or move it away)`,
    { details: { path }, ...(cause === undefined ? {} : { cause }) },
  );
}

function writeFailed(path: string, cause: unknown): CasError {
  return new CasError('CAS_CLI_STATE_WRITE_FAILED', `cannot write the CLI state file ${path}`, {
    cause,
    details: { path },
  });
}

function errnoCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}
