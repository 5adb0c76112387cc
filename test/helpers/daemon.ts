import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const TSX = pathToFileURL(
  join(process.cwd(), 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs'),
).href;

/** A long-running binary of the project (cas, las) started by a test. */
export interface Daemon {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly output: () => string;
}

/**
 * Starts `src/bin/<name>.ts` in `cwd` through tsx and waits until its stdout shows `ready`
 * (a substring, or a pattern when the line must be complete).
 */
export function startDaemon(
  name: string,
  args: readonly string[],
  cwd: string,
  ready: string | RegExp,
): Promise<Daemon> {
  const script = join(process.cwd(), 'src', 'bin', `${name}.ts`);
  const child = spawn(process.execPath, ['--import', TSX, script, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const daemon = { child, stdout: () => stdout, output: () => stdout + stderr };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start:\n${stdout}\n${stderr}`)),
      60_000,
    );
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      if (typeof ready === 'string' ? stdout.includes(ready) : ready.test(stdout)) {
        clearTimeout(timer);
        resolve(daemon);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${String(code)}:\n${stdout}\n${stderr}`));
    });
  });
}

/** Stops a daemon with SIGTERM and waits for it to exit. */
export function stopDaemon(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The last whitespace-separated field of the first line starting with `prefix`. */
export function lastField(text: string, prefix: string): string {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  if (line === undefined) throw new Error(`no line starting with ${prefix}`);
  return line.trim().split(/\s+/).pop() ?? '';
}
