import { isCasError } from '../errors/cas-error.js';
import { materialiseFiles, type MaterialisedFiles } from './injection-files.js';
import { chooseIsolation } from './isolation.js';
import { prepareLaunch } from './prepare-launch.js';
import { cleanupOnSignal, reRaise } from './re-raise.js';
import { FORWARDED_SIGNALS, runChild, type ChildOutcome } from './run-child.js';
import { runInNamespace } from './run-in-namespace.js';

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
  const dropEarly = cleanupOnSignal(FORWARDED_SIGNALS, () => files?.cleanup());
  try {
    const launch = await prepareLaunch(argv, io);
    if (launch.kind === 'done') return 0;
    const isolation = launch.files.length === 0 ? 'none' : chooseIsolation(io.env);
    if (isolation === 'namespace') {
      io.err(
        `cas-run: ${launch.files.length} injection file(s) on a tmpfs in a private mount namespace ` +
          '(they vanish with the program, even if cas-run is killed)',
      );
      // runInNamespace forwards signals from before the helper starts; the early handlers
      // go once its handlers are in place (synchronously, inside runChild).
      const running = runInNamespace(launch.child, launch.files, process.argv[1]);
      dropEarly();
      return endAs(await running);
    }
    files = materialiseFiles(launch.files);
    if (files.paths.length > 0) {
      io.err(
        `Warning: no private mount namespace (directory fallback): cas-run wrote ${files.paths.length} injection file(s), ` +
          `${files.onTmpfs} of them in a private tmpfs directory and the others in place; they are ` +
          'removed when the program ends or cas-run is signalled, but a SIGKILL of cas-run leaves them behind.',
      );
    }
    // runChild installs its forwarding handlers before the early ones go: never a moment
    // without a handler, in which a signal would kill cas-run and leave the files behind.
    const running = runChild(launch.child);
    dropEarly();
    const outcome = await running;
    files.cleanup();
    return endAs(outcome);
  } catch (error) {
    files?.cleanup();
    if (!isCasError(error)) throw error;
    io.err(`Error: ${error.message} (${error.code})`);
    const observed = error.details?.['observed'];
    if (observed !== undefined) io.err(`Observed by the CAS: ${JSON.stringify(observed)}`);
    return error.exitCode;
  } finally {
    dropEarly();
  }
}

/** The exit code of the program, or its fatal signal re-raised. */
function endAs(outcome: ChildOutcome): number {
  if (outcome.signal !== null) reRaise(outcome.signal);
  return outcome.code ?? 1;
}
