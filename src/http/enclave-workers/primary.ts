import cluster, { type Worker } from 'node:cluster';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { ListenAddress } from '../../config/listen-address.js';
import type { AttestWorkloadInput, ProvisionedConfig } from '../../core/attest-workload.js';
import type { CasKeys } from '../../crypto/cas-keys.js';
import { CasError } from '../../errors/cas-error.js';
import type { RequestCounter } from '../metrics.js';
import { answerRequest, type ToPrimary, type ToWorker, type WorkerLog } from './ipc.js';

/** Options of {@link startEnclaveWorkers}. */
export interface EnclaveWorkersOptions {
  /** How many worker processes (`[api] enclave_workers`, 1..64). */
  readonly count: number;
  /** The attestation use case, run here for every worker (`attestWorkload(deps, input)`). */
  readonly attest: (input: AttestWorkloadInput) => Promise<ProvisionedConfig>;
  /** The primary's logger configuration, so workers log alike to the same place. */
  readonly log: WorkerLog;
  readonly listen: ListenAddress;
  readonly logger: Logger;
  /** Where the workers' request counts go (`cas_http_requests_total{api="enclave"}`). */
  readonly counter: RequestCounter;
}

/** The running workers. */
export interface EnclaveWorkers {
  readonly address: ListenAddress;
  /** Process ids of the live workers. */
  readonly pids: () => readonly number[];
  close(): Promise<void>;
}

/** What the workers need of the CAS: its TLS identity, its state. */
export interface WorkersRuntime {
  readonly keys: CasKeys;
  readonly state: string;
  onKeysChanged(listener: (keys: CasKeys) => void): void;
}

const STARTUP_MS = 60_000;
const EXIT_MS = 5000;
const MAX_BACKOFF_MS = 5000;

/** The worker entry next to this file, `.ts` under tsx and `.js` from `dist/`. */
function workerEntry(): string {
  const ext = extname(fileURLToPath(import.meta.url));
  return fileURLToPath(new URL(`./worker-main${ext}`, import.meta.url));
}

/**
 * Forks `count` enclave workers with node:cluster. Each serves TLS and HTTP of the enclave API
 * on the shared port and sends the attestation here, where `attest` runs (verification,
 * lookup, rendering, log line, audit). A worker that dies is logged and replaced after a
 * backoff (100 ms doubling to 5 s, back to 100 ms once a worker has served for a minute); the
 * CAS process never exits because of a worker.
 *
 * @throws CAS_SERVER_LISTEN_FAILED when the first worker cannot listen or start.
 */
export async function startEnclaveWorkers(
  rt: WorkersRuntime,
  options: EnclaveWorkersOptions,
): Promise<EnclaveWorkers> {
  // SCHED_NONE: every worker accepts on the shared socket itself and the kernel spreads the
  // connections. Round-robin has this process accept every connection and pass its handle over
  // IPC, costing the CAS process (the one doing the attestations) CPU per connection. Measured
  // on 2 cores, 2 workers, 16 clients doing TLS 1.3 handshake + challenge (load generator on
  // the same cores): SCHED_NONE ~200/s, round-robin ~125-150/s; both spread the connections
  // about evenly (45/55 at worst), so round-robin buys nothing here.
  // NODE_CLUSTER_SCHED_POLICY=rr (Node's own variable) still chooses round-robin.
  if (process.env['NODE_CLUSTER_SCHED_POLICY'] === undefined) {
    cluster.schedulingPolicy = cluster.SCHED_NONE;
  }
  cluster.setupPrimary({ exec: workerEntry(), serialization: 'advanced', args: [] });
  const workers = new Set<Worker>();
  let closing = false;
  let failures = 0;
  const tls = (keys: CasKeys): { key: string; cert: string } => ({
    key: keys.softwareKeyPem,
    cert: keys.chainPem,
  });

  const fork = (id: number): Promise<number> => {
    const worker = cluster.fork();
    workers.add(worker);
    const started = Date.now();
    return new Promise((resolve, reject) => {
      // Sent once the worker's module has loaded: a message sent at `online` would come before
      // the worker listens for messages, and be lost.
      const sendInit = (): void => {
        const init: ToWorker = {
          t: 'init',
          worker: id,
          host: options.listen.host,
          // Every worker asks for the configured address, the key under which node:cluster
          // shares one listening socket (port 0 included: all get the port the first bound).
          port: options.listen.port,
          tls: tls(rt.keys),
          log: options.log,
        };
        worker.send(init);
      };
      const timer = setTimeout(() => {
        reject(startFailed(options.listen, `worker ${id} did not listen in time`));
        worker.process.kill('SIGKILL');
      }, STARTUP_MS);
      worker.on('message', (message: ToPrimary) => {
        if (message.t === 'loaded') {
          sendInit();
        } else if (message.t === 'listening') {
          clearTimeout(timer);
          resolve(message.port);
        } else if (message.t === 'count') {
          for (const [labels, n] of message.counts) {
            options.counter.inc(JSON.parse(labels) as Record<string, string>, n);
          }
        } else if (message.t === 'req') {
          void answerRequest(message, {
            state: () => rt.state,
            attest: options.attest,
            onInternal: (err) => options.logger.error({ err }, 'internal error'),
          }).then((answer) => {
            if (worker.isConnected()) worker.send(answer);
          });
        }
      });
      // A send racing the worker's death fails on the channel; without a listener that error
      // would end this process. The 'exit' below handles the worker.
      worker.on('error', (err: Error) =>
        options.logger.warn({ worker: id, err: err.message }, 'enclave worker channel error'),
      );
      worker.on('exit', (code, signal) => {
        clearTimeout(timer);
        workers.delete(worker);
        reject(startFailed(options.listen, `worker ${id} exited before listening`));
        if (closing) return;
        const lived = Date.now() - started;
        failures = lived > 60_000 ? 0 : failures + 1;
        const backoff = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(failures, 6));
        options.logger.warn(
          { worker: id, pid: worker.process.pid, code, signal, restart_in_ms: backoff },
          'enclave worker exited; starting a replacement',
        );
        setTimeout(() => {
          if (!closing) fork(id).catch(() => undefined);
        }, backoff).unref();
      });
    });
  };

  rt.onKeysChanged((keys) => {
    const message: ToWorker = { t: 'keys', tls: tls(keys) };
    for (const worker of workers) if (worker.isConnected()) worker.send(message);
  });

  const close = async (): Promise<void> => {
    closing = true;
    await Promise.all([...workers].map((w) => stop(w)));
  };
  try {
    // The first worker binds (port 0 becomes a real port); the others share its socket.
    const port = await fork(1);
    await Promise.all(Array.from({ length: options.count - 1 }, (_, i) => fork(i + 2)));
    return {
      address: { host: options.listen.host, port },
      pids: () => [...workers].flatMap((w) => (w.process.pid === undefined ? [] : [w.process.pid])),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function startFailed(listen: ListenAddress, why: string): CasError {
  return new CasError(
    'CAS_SERVER_LISTEN_FAILED',
    `cannot listen on ${listen.host}:${listen.port} (enclave API): ${why}`,
  );
}

/** Disconnects a worker (it closes its listener and exits), killing it if it lingers. */
function stop(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    if (worker.isDead()) {
      resolve();
      return;
    }
    const timer = setTimeout(() => worker.process.kill('SIGKILL'), EXIT_MS);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (worker.isConnected()) worker.disconnect();
  });
}
