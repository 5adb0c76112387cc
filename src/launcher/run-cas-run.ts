import { constants } from 'node:os';
import { isCasError } from '../errors/cas-error.js';
import { materialiseFiles, type MaterialisedFiles } from './injection-files.js';
import { prepareLaunch } from './prepare-launch.js';
import { FORWARDED_SIGNALS, runChild } from './run-child.js';

/**
 * The `cas-run` process: prepare (attest, receive the configuration), write the injection
 * files, run the program as a child, remove the files on every exit path, and end the way the
 * program ended (its exit code, or the same signal re-raised). Returns the exit code when it
 * does not re-raise a signal.
 */
export async function runCasRun(argv: readonly string[]): Promise<number> {
  const io = {
    env: process.env,
    cwd: process.cwd(),
    out: (line: string) => process.stdout.write(`${line}\n`),
    err: (line: string) => process.stderr.write(`${line}\n`),
  };
  let files: MaterialisedFiles | undefined;
  // Safety net: whatever ends this process (an uncaught error, process.exit), the files go.
  const onExit = (): void => files?.cleanup();
  process.on('exit', onExit);
  // A signal that arrives before the child runs ends cas-run after removing the files.
  const early = FORWARDED_SIGNALS.filter((s) => s !== 'SIGWINCH').map((signal) => {
    const handler = (): void => {
      files?.cleanup();
      reRaise(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  try {
    const launch = await prepareLaunch(argv, io);
    if (launch.kind === 'done') return 0;
    files = materialiseFiles(launch.files);
    if (files.paths.length > 0) {
      io.err(
        `Warning: no private mount namespace: cas-run wrote ${files.paths.length} injection file(s), ` +
          `${files.onTmpfs} of them in a private tmpfs directory and the others in place; they are ` +
          'removed when the program ends or cas-run is signalled, but a SIGKILL of cas-run leaves them behind.',
      );
    }
    // runChild installs its forwarding handlers before the early ones go: never a moment
    // without a handler, in which a signal would kill cas-run and leave the files behind.
    const running = runChild(launch.child);
    for (const [signal, handler] of early) process.removeListener(signal, handler);
    const outcome = await running;
    files.cleanup();
    if (outcome.signal !== null) reRaise(outcome.signal);
    return outcome.code ?? 1;
  } catch (error) {
    files?.cleanup();
    if (!isCasError(error)) throw error;
    io.err(`Error: ${error.message} (${error.code})`);
    const observed = error.details?.['observed'];
    if (observed !== undefined) io.err(`Observed by the CAS: ${JSON.stringify(observed)}`);
    return error.exitCode;
  } finally {
    for (const [signal, handler] of early) process.removeListener(signal, handler);
  }
}

/** Ends this process with `signal`, as the program ended (default action, no handler). */
function reRaise(signal: NodeJS.Signals): void {
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
  // Delivered at once when it terminates; for one that does not, the shell's convention.
  process.exit(128 + (constants.signals[signal] ?? 0));
}
