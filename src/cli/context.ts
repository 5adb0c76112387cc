import { readFile } from 'node:fs/promises';
import { parseIdentityPem, type Identity } from '../crypto/identity.js';
import { CasError } from '../errors/cas-error.js';
import type { CliIo } from './io.js';
import type { Output } from './output.js';
import type { PinnedCas } from './pinned-cas.js';
import {
  loadState,
  saveState,
  stateIdentity,
  warnIfOpen,
  type CliState,
  type LoadedState,
} from './state.js';

/** What a command's `run` receives. State and identity are loaded only when asked for. */
export interface CommandContext {
  readonly io: CliIo;
  readonly out: Output;
  /** Path of the state file (`--config`, `$SCONE_CLI_CONFIG` or `~/.cas/config.json`). */
  readonly statePath: string;
  /** Loads the state file, creating it with a fresh identity on first use (memoised). */
  loadState(): Promise<LoadedState>;
  /** Writes the state file atomically (and updates the memoised copy). */
  saveState(state: CliState): Promise<void>;
  /** The identity of `--identity FILE`, else the one in the state file. */
  identity(): Promise<Identity>;
  /**
   * The pinned CAS called `name`, or the default one when `name` is undefined. Warns (stderr)
   * when it was attested with relaxation flags.
   *
   * @throws CAS_CLI_CAS_UNKNOWN, CAS_CLI_NO_DEFAULT_CAS.
   */
  pinnedCas(name?: string): Promise<{ readonly name: string; readonly cas: PinnedCas }>;
  /**
   * Reads a text file named on the command line (`-` reads stdin).
   *
   * @throws CAS_CLI_FILE_UNREADABLE.
   */
  readTextFile(path: string): Promise<string>;
}

/** Builds the context of one command run. */
export function createContext(options: {
  readonly io: CliIo;
  readonly out: Output;
  readonly statePath: string;
  readonly identityFile: string | undefined;
}): CommandContext {
  const { io, out, statePath, identityFile } = options;
  let loaded: LoadedState | undefined;
  const ctx: CommandContext = {
    io,
    out,
    statePath,
    async loadState() {
      loaded ??= await loadState(statePath, (message) => out.warn(message));
      return loaded;
    },
    async saveState(state) {
      await saveState(statePath, state);
      loaded = { path: statePath, state, created: false };
    },
    async identity() {
      if (identityFile === undefined) return stateIdentity(await ctx.loadState());
      const identity = parseIdentityPem(await ctx.readTextFile(identityFile));
      if (identityFile !== '-')
        await warnIfOpen(identityFile, 'the identity file', (m) => out.warn(m));
      return identity;
    },
    async pinnedCas(name) {
      const { state } = await ctx.loadState();
      const wanted = name ?? state.default_cas;
      if (wanted === undefined) {
        throw new CasError(
          'CAS_CLI_NO_DEFAULT_CAS',
          'no CAS given and no default CAS: attest one with scone cas attest, or name one',
        );
      }
      const cas = Object.hasOwn(state.cas_db, wanted) ? state.cas_db[wanted] : undefined;
      if (cas === undefined) {
        const known = Object.keys(state.cas_db).sort();
        throw new CasError(
          'CAS_CLI_CAS_UNKNOWN',
          `no CAS named "${wanted}" in ${statePath} (known: ${known.length === 0 ? 'none' : known.join(', ')})`,
          { details: { name: wanted } },
        );
      }
      if (cas.relaxations.length > 0) {
        // Relaxations are chosen once, at attest time; every later use says so again.
        out.warn(
          `CAS "${wanted}" was attested with relaxed checks (${cas.relaxations.join(', ')}); do not trust it with production secrets`,
        );
      }
      return { name: wanted, cas };
    },
    async readTextFile(path) {
      try {
        return path === '-' ? await io.readStdin() : await readFile(path, 'utf8');
      } catch (cause) {
        throw new CasError('CAS_CLI_FILE_UNREADABLE', `cannot read ${path}`, {
          cause,
          details: { path },
        });
      }
    },
  };
  return ctx;
}
