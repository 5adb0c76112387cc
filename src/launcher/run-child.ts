import { spawn, type ChildProcess } from 'node:child_process';
import { CasError } from '../errors/cas-error.js';

/** How the child ended. */
export interface ChildOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Signals cas-run passes on to the program. */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
];

/** What to start. */
export interface ChildSpec {
  readonly program: string;
  readonly args: readonly string[];
  /** argv[0] as the program sees it. */
  readonly argv0?: string;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

/** Options of {@link runChild}. */
export interface RunChildOptions {
  /** Give the child a fourth stdio descriptor (fd 3): a socket pair, `child.stdio[3]`. */
  readonly control?: boolean;
  /** Called once the child is spawned, before any signal is forwarded to it. */
  readonly onStart?: (child: ChildProcess) => void;
}

/**
 * Runs the program as a child with inherited stdio, forwarding the signals cas-run receives
 * while it runs, and resolves with its exit code or the signal that ended it.
 *
 * @throws CAS_LAUNCHER_PROGRAM_NOT_FOUND when it cannot be started.
 */
export function runChild(spec: ChildSpec, options: RunChildOptions = {}): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    // Handlers first, then spawn: a signal that arrives while the child is being created is
    // kept and delivered to it, instead of finding no handler and killing cas-run alone.
    const started: { child?: ReturnType<typeof spawn> } = {};
    const pending: NodeJS.Signals[] = [];
    const handlers = FORWARDED_SIGNALS.map((signal) => {
      const handler = (): void => {
        if (started.child === undefined) pending.push(signal);
        else started.child.kill(signal);
      };
      process.on(signal, handler);
      return [signal, handler] as const;
    });
    const detach = (): void => {
      for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    };
    const child = spawn(spec.program, [...spec.args], {
      ...(spec.argv0 === undefined ? {} : { argv0: spec.argv0 }),
      env: { ...spec.env },
      cwd: spec.cwd,
      stdio: options.control === true ? ['inherit', 'inherit', 'inherit', 'pipe'] : 'inherit',
    });
    started.child = child;
    options.onStart?.(child);
    for (const signal of pending) child.kill(signal);
    child.once('error', (cause) => {
      detach();
      reject(
        new CasError(
          'CAS_LAUNCHER_PROGRAM_NOT_FOUND',
          `cannot start ${spec.program}: ${cause.message}`,
          {
            cause,
            details: { program: spec.program },
          },
        ),
      );
    });
    child.once('exit', (code, signal) => {
      detach();
      resolve({ code, signal });
    });
  });
}
