import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { CasError } from '../errors/cas-error.js';
import { isCasErrorCode } from '../errors/codes.js';
import type { InjectionFile } from './injection-files.js';
import { encodeRequest, NAMESPACE_HELPER_ENV, type HelperReply } from './namespace-helper.js';
import { runChild, type ChildOutcome, type ChildSpec } from './run-child.js';

/**
 * Runs the program inside a new private mount namespace with its injection files on a tmpfs
 * there: `unshare --mount --propagation private` execs this same cas-run as the helper
 * (`runNamespaceHelper`), which receives the files and the program over fd 3, never through
 * argv, environment or a disk file. Signals cas-run receives go to the helper, which forwards
 * them to the program; the helper ends as the program ended, and so does this promise.
 *
 * @throws the helper's coded error when it could not mount the files or start the program
 * (then nothing ran), CAS_LAUNCHER_NAMESPACE_FAILED when `unshare` itself failed.
 */
export async function runInNamespace(
  child: ChildSpec,
  files: readonly InjectionFile[],
  /** The cas-run entry script to re-run as the helper (tests pass `src/bin/cas-run.ts`). */
  script: string | undefined,
): Promise<ChildOutcome> {
  // Only ever re-run a cas-run entry point: anything else would not act as the helper.
  if (script === undefined || !/(^|\/)cas-run(\.[cm]?[jt]s)?$/.test(script)) {
    throw new CasError('CAS_LAUNCHER_NAMESPACE_FAILED', 'cannot find the cas-run script to re-run');
  }
  let reply: HelperReply | undefined;
  let closed: Promise<void> = Promise.resolve();
  const helper: ChildSpec = {
    program: 'unshare',
    args: [
      '--mount',
      '--propagation',
      'private',
      '--',
      process.execPath,
      ...process.execArgv,
      script,
    ],
    // The host environment, for node and its loader only: the program's own environment
    // travels in the request and replaces it.
    env: { ...stringEnv(process.env), [NAMESPACE_HELPER_ENV]: '1' },
    cwd: process.cwd(),
  };
  const onStart = (started: ChildProcess): void => {
    const control = started.stdio[3] as Socket;
    control.on('error', () => undefined);
    let buffered = '';
    control.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        reply = JSON.parse(buffered.slice(0, end)) as HelperReply;
        buffered = buffered.slice(end + 1);
      }
    });
    // The socket stays open while cas-run lives: its close tells the helper cas-run is gone.
    control.write(encodeRequest(child, files));
    closed = new Promise((resolve) => {
      control.once('close', () => resolve());
      control.once('end', () => control.destroy());
    });
  };
  const outcome = await runChild(helper, { control: true, onStart });
  await closed; // the helper's last reply may arrive just after it exits
  if (reply !== undefined && 'error' in reply) {
    const { code, message, details } = reply.error;
    throw new CasError(isCasErrorCode(code) ? code : 'CAS_LAUNCHER_NAMESPACE_FAILED', message, {
      ...(details === undefined ? {} : { details }),
    });
  }
  if (reply === undefined) {
    throw new CasError(
      'CAS_LAUNCHER_NAMESPACE_FAILED',
      `the private mount namespace could not be made (unshare ended with ${outcome.signal ?? `exit code ${outcome.code}`}); the program did not run`,
    );
  }
  return outcome;
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  return out;
}
