import type { AttestWorkloadInput, ProvisionedConfig } from '../../core/attest-workload.js';
import { CasError, isCasError } from '../../errors/cas-error.js';
import { isCasErrorCode } from '../../errors/codes.js';

/**
 * The messages between the CAS process (primary) and its enclave workers, over the cluster IPC
 * channel (a socketpair between two processes of the same CAS; `serialization: 'advanced'`, so
 * Buffers travel as bytes). Nothing else is shared: a worker never opens the store.
 */

/** A TLS identity as the enclave listener presents it. */
export interface WorkerTls {
  readonly key: string;
  readonly cert: string;
}

/** Where and how a worker logs: the primary's logger configuration. */
export interface WorkerLog {
  readonly level?: string;
  readonly simulation: boolean;
  readonly to: 'stdout' | 'stderr' | { readonly file: string };
}

/** Primary → worker. */
export type ToWorker =
  | {
      readonly t: 'init';
      readonly worker: number;
      readonly host: string;
      readonly port: number;
      readonly tls: WorkerTls;
      readonly log: WorkerLog;
    }
  | { readonly t: 'keys'; readonly tls: WorkerTls }
  | { readonly t: 'res'; readonly id: number; readonly ok?: unknown; readonly err?: WireError };

/** Worker → primary. */
export type ToPrimary =
  | { readonly t: 'loaded' }
  | { readonly t: 'listening'; readonly port: number }
  | { readonly t: 'count'; readonly counts: readonly (readonly [string, number])[] }
  | { readonly t: 'req'; readonly id: number; readonly op: 'state' }
  | { readonly t: 'req'; readonly id: number; readonly op: 'attest'; readonly input: WireInput };

/** The attest input as it travels (a plain object of Buffers). */
export interface WireInput {
  readonly configId: string;
  readonly evidence?: { readonly type: string; readonly data: Uint8Array };
  readonly nonce: Uint8Array;
  readonly peerSpki: Uint8Array;
}

/** A refusal as it travels; `internal` stands for any non-CasError (a bug), never its text. */
export type WireError =
  | {
      readonly code: string;
      readonly message: string;
      readonly details?: Readonly<Record<string, unknown>>;
    }
  | { readonly internal: true };

/** Bytes that crossed the channel, as the Buffer the routes expect. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** The attest input with its bytes as Buffers (what `attestWorkload` gets in-process). */
export function inputFromWire(input: WireInput): AttestWorkloadInput {
  return {
    configId: input.configId,
    ...(input.evidence === undefined
      ? {}
      : { evidence: { type: input.evidence.type, data: asBuffer(input.evidence.data) } }),
    nonce: asBuffer(input.nonce),
    peerSpki: asBuffer(input.peerSpki),
  };
}

/** The provisioned configuration with file contents that were bytes as Buffers again. */
export function configFromWire(config: ProvisionedConfig): ProvisionedConfig {
  return {
    ...config,
    files: config.files.map((f) => ({
      ...f,
      content: typeof f.content === 'string' ? f.content : asBuffer(f.content),
    })),
  };
}

/** A thrown value as it travels: a CasError keeps code, message and details; anything else not. */
export function errorToWire(error: unknown): WireError {
  if (!isCasError(error)) return { internal: true };
  return {
    code: error.code,
    message: error.message,
    ...(error.details === undefined ? {} : { details: error.details }),
  };
}

/**
 * The error a worker throws for a refusal: the same CasError the primary threw (so the error
 * mapping answers exactly as in-process), or a plain Error for a bug (500 CAS_INTERNAL; the
 * primary logged the details).
 */
export function errorFromWire(wire: WireError): Error {
  if ('internal' in wire || !isCasErrorCode(wire.code)) {
    return new Error('internal error in the CAS process');
  }
  return new CasError(
    wire.code,
    wire.message,
    wire.details === undefined ? {} : { details: wire.details },
  );
}

/** The worker's side of request/response: ids, one pending promise each, a timeout. */
export interface IpcClient {
  request(op: 'state'): Promise<unknown>;
  request(op: 'attest', input: WireInput): Promise<unknown>;
  /** Feeds a message from the primary; true when it was an answer to a request. */
  onMessage(message: ToWorker): boolean;
  /** Fails every pending request (the channel went away). */
  failAll(): void;
}

function noAnswer(why: string): CasError {
  return new CasError(
    'CAS_SERVER_ENCLAVE_WORKER_NO_ANSWER',
    `the CAS process did not answer the enclave worker: ${why}`,
  );
}

/**
 * Creates the worker's request/response client over `send`. A request the primary does not
 * answer within `timeoutMs` fails with CAS_SERVER_ENCLAVE_WORKER_NO_ANSWER (its late answer is
 * dropped), as does every pending request when the channel closes.
 */
export function createIpcClient(send: (message: ToPrimary) => void, timeoutMs: number): IpcClient {
  let next = 0;
  const pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  return {
    request(op: 'state' | 'attest', input?: WireInput): Promise<unknown> {
      const id = ++next;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(noAnswer(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        try {
          send(
            op === 'attest' ? { t: 'req', id, op, input: input! } : { t: 'req', id, op: 'state' },
          );
        } catch {
          clearTimeout(timer);
          pending.delete(id);
          reject(noAnswer('the channel is closed'));
        }
      });
    },
    onMessage(message) {
      if (message.t !== 'res') return false;
      const entry = pending.get(message.id);
      if (entry === undefined) return true;
      pending.delete(message.id);
      clearTimeout(entry.timer);
      if (message.err === undefined) entry.resolve(message.ok);
      else entry.reject(errorFromWire(message.err));
      return true;
    },
    failAll() {
      for (const [id, entry] of pending) {
        pending.delete(id);
        clearTimeout(entry.timer);
        entry.reject(noAnswer('the channel is closed'));
      }
    },
  };
}

/**
 * The primary's side: runs one request and answers it. `attest` gets Buffers; errors travel as
 * {@link errorToWire}; `onInternal` sees a non-CasError (to log it where the primary logs).
 */
export async function answerRequest(
  request: Extract<ToPrimary, { t: 'req' }>,
  handlers: {
    readonly state: () => string;
    readonly attest: (input: AttestWorkloadInput) => Promise<ProvisionedConfig>;
    readonly onInternal: (error: unknown) => void;
  },
): Promise<Extract<ToWorker, { t: 'res' }>> {
  try {
    const ok =
      request.op === 'state'
        ? handlers.state()
        : await handlers.attest(inputFromWire(request.input));
    return { t: 'res', id: request.id, ok };
  } catch (error) {
    if (!isCasError(error)) handlers.onInternal(error);
    return { t: 'res', id: request.id, err: errorToWire(error) };
  }
}
