import { fileURLToPath } from 'node:url';
import { extname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CasError } from '../../../errors/cas-error.js';
import type { CasErrorCode } from '../../../errors/codes.js';
import { deepFreeze } from '../../../policy/deep-freeze.js';
import type { Session } from '../../../policy/types.js';
import { defaultSessionEngine } from '../default-session-engine.js';
import { encodeSecrets } from '../resolve-imports.js';
import type { SessionEngine } from '../session-engine.js';
import type { StoredSecrets } from '../session-records.js';
import type { SessionWorkerReply, SessionWorkerRequest } from './protocol.js';

/** The session engine of {@link startSessionWorkers} and how to stop its threads. */
export interface SessionWorkers {
  readonly engine: Omit<SessionEngine, 'parse'> & { parse(text: string): Promise<Session> };
  /** Stops the threads; requests still running fail with CAS_INTERNAL. */
  close(): Promise<void>;
}

/** A request before its id is given (each member of the union without its id). */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Thread {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  /** Whether it ever answered: a thread that dies before is counted as failing to start. */
  answered: boolean;
}

/** Threads that die in a row before answering anything: then the pool stops replacing them. */
const MAX_START_FAILURES = 3;

/**
 * A worker thread on the entry beside this file: `worker-main.js` when built. Under tsx (tests,
 * bench) the entry is `.ts` and a thread does not inherit the main thread's TypeScript loader,
 * so it registers tsx's hooks first (tsx is a development dependency, never loaded when built).
 */
function newWorker(): Worker {
  const ext = extname(fileURLToPath(import.meta.url));
  const entry = new URL(`./worker-main${ext}`, import.meta.url);
  if (ext !== '.ts') return new Worker(entry);
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true });
}

/**
 * Starts `count` worker threads (`[api] session_workers`) that parse session files and make
 * their secrets, and returns the CAS's session engine over them: `parse`, `generateSecrets`
 * and `migrateSecrets` run in the least busy thread, the cheap rest (hash, access, names) stays
 * here. With one event loop, a create or update spends most of its CPU on these steps (the
 * YAML parser, key generation and encoding, certificate signing); in threads they use the
 * cores the event loop cannot. A thread that dies fails its requests with CAS_INTERNAL and is
 * replaced, unless threads keep dying before they answer anything (then requests fail with
 * CAS_INTERNAL instead of the pool restarting threads in a loop). The threads do not keep the
 * process alive. `onThread` sees every thread started
 * (tests stop one to check the replacement).
 */
export function startSessionWorkers(
  count: number,
  options: {
    readonly onThread?: (worker: Worker) => void;
    /** Where a thread's death and a pool that gives up are reported (the CAS's logger). */
    readonly log?: {
      warn(fields: object, message: string): void;
      error(fields: object, message: string): void;
    };
  } = {},
): SessionWorkers {
  if (!Number.isInteger(count) || count < 1) {
    throw new CasError('CAS_CONFIG_BAD_VALUE', 'api.session_workers: expected 1 or more threads');
  }
  const threads: Thread[] = [];
  let nextId = 1;
  let closed = false;
  // A thread that cannot start (a broken build) would otherwise be replaced in a tight loop.
  let startFailures = 0;

  const spawn = (): Thread => {
    const thread: Thread = { worker: newWorker(), pending: new Map(), answered: false };
    thread.worker.unref();
    options.onThread?.(thread.worker);
    thread.worker.on('message', (reply: SessionWorkerReply) => {
      thread.answered = true;
      startFailures = 0;
      const waiting = thread.pending.get(reply.id);
      if (waiting === undefined) return;
      thread.pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.value);
      else {
        const { code, message, details } = reply.error;
        waiting.reject(
          new CasError(code as CasErrorCode, message, details === undefined ? {} : { details }),
        );
      }
    });
    const fail = (): void => {
      for (const waiting of thread.pending.values()) {
        waiting.reject(new CasError('CAS_INTERNAL', 'a session worker stopped'));
      }
      thread.pending.clear();
      const at = threads.indexOf(thread);
      if (at < 0) return; // 'error' and then 'exit' of the same thread
      if (!thread.answered) startFailures++;
      const replace = !closed && startFailures < MAX_START_FAILURES;
      threads.splice(at, 1, ...(replace ? [spawn()] : []));
      if (closed) return;
      if (replace)
        options.log?.warn(
          { event: 'session_worker_exited' },
          'session worker exited; started a replacement',
        );
      else {
        options.log?.error(
          { event: 'session_workers_failed', failures: startFailures },
          'session workers keep dying before they answer; session creates and updates fail until the CAS restarts',
        );
      }
    };
    thread.worker.on('error', fail);
    thread.worker.on('exit', fail);
    return thread;
  };
  for (let i = 0; i < count; i++) threads.push(spawn());

  const call = (request: Unnumbered<SessionWorkerRequest>): Promise<unknown> => {
    if (closed || threads.length === 0) {
      const why = closed ? 'the session workers stopped' : 'the session workers cannot start';
      return Promise.reject(new CasError('CAS_INTERNAL', why));
    }
    const thread = threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ ...request, id });
    });
  };

  const engine: SessionWorkers['engine'] = {
    ...defaultSessionEngine,
    // A parsed session crosses as a copy; frozen again, as the engine hands them out.
    parse: async (text) => deepFreeze((await call({ op: 'parse', text })) as Session),
    generateSecrets: async (session, ctx) => {
      const imported = ctx.imported === undefined ? undefined : encodeSecrets(ctx.imported);
      return (await call({
        op: 'generate',
        session,
        now: ctx.now.getTime(),
        ...(imported === undefined ? {} : { imported }),
      })) as StoredSecrets;
    },
    migrateSecrets: async (previous, values, next, ctx) => {
      const imported = ctx.imported === undefined ? undefined : encodeSecrets(ctx.imported);
      return (await call({
        op: 'migrate',
        previous,
        values,
        next,
        now: ctx.now.getTime(),
        ...(imported === undefined ? {} : { imported }),
      })) as StoredSecrets;
    },
  };
  return {
    engine,
    close: async () => {
      closed = true;
      await Promise.all(threads.map((thread) => thread.worker.terminate()));
    },
  };
}
