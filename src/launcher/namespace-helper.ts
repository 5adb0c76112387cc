import { Socket } from 'node:net';
import { CasError, isCasError } from '../errors/cas-error.js';
import type { InjectionFile } from './injection-files.js';
import { mountInjectionFiles, type MountedFiles } from './namespace-mounts.js';
import { cleanupOnSignal, reRaise } from './re-raise.js';
import { FORWARDED_SIGNALS, runChild, type ChildSpec } from './run-child.js';

/** Set (to `1`) in the environment of the in-namespace helper; see {@link runNamespaceHelper}. */
export const NAMESPACE_HELPER_ENV = 'CAS_RUN_INTERNAL_NAMESPACE_HELPER';

/** What cas-run sends the helper over its control socket (fd 3): one JSON line. */
export interface HelperRequest {
  readonly child: ChildSpec;
  readonly files: ReadonlyArray<{ path: string; mode: number; content: string }>;
}

/** What the helper answers: `{started: true}`, or the coded error that stopped it. */
export type HelperReply =
  | { readonly started: true }
  | { readonly error: { code: string; message: string; details?: Record<string, unknown> } };

/** Encodes a request; content travels base64 over the socket, never in argv or environment. */
export function encodeRequest(child: ChildSpec, files: readonly InjectionFile[]): string {
  const request: HelperRequest = {
    child,
    files: files.map((f) => ({
      path: f.path,
      mode: f.mode,
      content: Buffer.from(f.content).toString('base64'),
    })),
  };
  return `${JSON.stringify(request)}\n`;
}

function decodeRequest(line: string): { child: ChildSpec; files: InjectionFile[] } {
  const request = JSON.parse(line) as HelperRequest;
  return {
    child: request.child,
    files: request.files.map((f) => ({
      path: f.path,
      mode: f.mode,
      content: new Uint8Array(Buffer.from(f.content, 'base64')),
    })),
  };
}

function readLine(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      const end = buffered.indexOf('\n');
      if (end < 0) return;
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      resolve(buffered.slice(0, end));
    };
    const onEnd = (): void => reject(new Error('cas-run closed the control socket'));
    socket.on('data', onData);
    socket.once('end', onEnd);
  });
}

/**
 * The process `cas-run` starts as `unshare --mount --propagation private -- node cas-run`
 * with {@link NAMESPACE_HELPER_ENV} set: it reads the request from fd 3, mounts the injection
 * files ({@link mountInjectionFiles}), runs the program as its child (signals forwarded) and
 * ends as the program ended. When cas-run dies (its end of fd 3 closes, even on SIGKILL), it
 * kills the program, so the namespace and its tmpfs go away with them.
 */
export async function runNamespaceHelper(): Promise<number> {
  const control = new Socket({ fd: 3, readable: true, writable: true });
  control.on('error', () => undefined);
  const reply = (message: HelperReply): void => {
    control.write(`${JSON.stringify(message)}\n`);
  };
  let mounted: MountedFiles | undefined;
  process.on('exit', () => mounted?.cleanup());
  const dropEarly = cleanupOnSignal(FORWARDED_SIGNALS, () => mounted?.cleanup());
  try {
    const { child, files } = decodeRequest(await readLine(control));
    mounted = mountInjectionFiles(files);
    let program: { kill(signal: NodeJS.Signals): boolean } | undefined;
    let orphaned = false;
    control.once('close', () => {
      // cas-run is gone: nobody supervises the program any more; end it and the namespace.
      orphaned = true;
      program?.kill('SIGKILL');
    });
    const running = runChild(child, {
      onStart: (started) => {
        program = started;
        if (orphaned) started.kill('SIGKILL');
      },
    });
    dropEarly();
    reply({ started: true });
    const outcome = await running;
    mounted.cleanup();
    control.destroy();
    if (outcome.signal !== null) reRaise(outcome.signal);
    return outcome.code ?? 1;
  } catch (error) {
    mounted?.cleanup();
    const coded = isCasError(error)
      ? error
      : new CasError('CAS_LAUNCHER_NAMESPACE_FAILED', (error as Error).message, { cause: error });
    reply({
      error: {
        code: coded.code,
        message: coded.message,
        ...(coded.details === undefined ? {} : { details: { ...coded.details } }),
      },
    });
    await new Promise<void>((resolve) => control.end(resolve));
    return coded.exitCode;
  } finally {
    dropEarly();
  }
}
