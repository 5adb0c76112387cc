import { spawnSync } from 'node:child_process';
import { CasError } from '../errors/cas-error.js';

/** Where injection files live: a private mount namespace, or a 0700 directory on the host. */
export type Isolation = 'namespace' | 'directory';

/** The variable that overrides the automatic choice (for tests and for operators). */
export const ISOLATION_ENV = 'CAS_RUN_ISOLATION';

/**
 * Whether this process can make a private mount namespace and mount a tmpfs in it: it must be
 * root (an unprivileged user namespace would run the program as a mapped root, which changes
 * what it may do with its files) and `unshare --mount` and `mount` from util-linux must work.
 */
export function canMakeMountNamespace(): boolean {
  if (process.geteuid?.() !== 0) return false;
  const probe = (cmd: string, args: string[]): boolean =>
    spawnSync(cmd, args, { stdio: 'ignore', timeout: 5_000 }).status === 0;
  return (
    probe('unshare', ['--mount', '--propagation', 'private', 'true']) &&
    probe('mount', ['--version'])
  );
}

/**
 * Chooses the mechanism: `CAS_RUN_ISOLATION=namespace|directory` forces one (`auto` or unset:
 * a namespace when one can be made). Fails closed: a namespace that is asked for and cannot
 * be made is refused, never silently replaced by the weaker directory.
 *
 * @throws CAS_LAUNCHER_ENV_INVALID for another value, CAS_LAUNCHER_ISOLATION_UNAVAILABLE.
 */
export function chooseIsolation(
  env: Readonly<Record<string, string | undefined>>,
  canNamespace: () => boolean = canMakeMountNamespace,
): Isolation {
  const asked = (env[ISOLATION_ENV] ?? '').trim().toLowerCase();
  if (asked === 'directory') return 'directory';
  if (asked === 'namespace') {
    if (canNamespace()) return 'namespace';
    throw new CasError(
      'CAS_LAUNCHER_ISOLATION_UNAVAILABLE',
      `${ISOLATION_ENV}=namespace, but cas-run cannot make a private mount namespace here (it needs root and a working 'unshare --mount' and 'mount'); refusing to write the injection files anywhere else`,
    );
  }
  if (asked !== '' && asked !== 'auto') {
    throw new CasError(
      'CAS_LAUNCHER_ENV_INVALID',
      `${ISOLATION_ENV} must be namespace, directory or auto`,
      { details: { variable: ISOLATION_ENV } },
    );
  }
  return canNamespace() ? 'namespace' : 'directory';
}
