// Entry of an enclave worker (forked by `startEnclaveWorkers` with node:cluster): serves TLS and
// HTTP of the enclave API on the shared port and asks the CAS process to attest. It gets its TLS
// key from the first IPC message (never argv or env) and never opens the store.
import type { Server as HttpsServer } from 'node:https';
import { pino, type DestinationStream } from 'pino';
import type { ProvisionedConfig } from '../../core/attest-workload.js';
import { registerEnclaveRoutes } from '../enclave-api/register-enclave-routes.js';
import { createLogger } from '../logger.js';
import { buildListener, listen, listenerTlsOptions, mountEnclaveListener } from '../server.js';
import { configFromWire, createIpcClient, type ToPrimary, type ToWorker } from './ipc.js';

/** How long a worker waits for the CAS process's answer to one attestation. */
const ATTEST_TIMEOUT_MS = 30_000;
/** How often request counts go to the CAS process's `/metrics`. */
const COUNT_FLUSH_MS = 1000;

const send = (message: ToPrimary): void => {
  if (process.connected) process.send?.(message);
};
const ipc = createIpcClient(send, ATTEST_TIMEOUT_MS);
const counts = new Map<string, number>();
const flushCounts = (): void => {
  if (counts.size === 0) return;
  send({ t: 'count', counts: [...counts] });
  counts.clear();
};

// Ctrl-C reaches the whole process group: the CAS process decides when its workers stop.
process.on('SIGINT', () => undefined);

async function start(init: Extract<ToWorker, { t: 'init' }>): Promise<void> {
  const to = init.log.to;
  const destination: DestinationStream =
    to === 'stdout'
      ? process.stdout
      : to === 'stderr'
        ? process.stderr
        : pino.destination({ dest: to.file, append: true, sync: false });
  const logger = createLogger({
    simulation: init.log.simulation,
    destination,
    ...(init.log.level === undefined ? {} : { level: init.log.level }),
  }).child({ worker: init.worker });
  const app = buildListener(init.tls, logger, true);
  mountEnclaveListener(
    app,
    {
      inc(labels, value = 1) {
        const key = JSON.stringify(labels);
        counts.set(key, (counts.get(key) ?? 0) + value);
      },
    },
    async () => String(await ipc.request('state')),
  );
  registerEnclaveRoutes(app, {
    now: () => new Date(),
    attest: async (input) =>
      configFromWire(
        (await ipc.request('attest', {
          configId: input.configId,
          ...(input.evidence === undefined ? {} : { evidence: input.evidence }),
          nonce: input.nonce,
          peerSpki: input.peerSpki,
        })) as ProvisionedConfig,
      ),
  });
  process.on('message', (message: ToWorker) => {
    if (message.t === 'keys') {
      (app.server as HttpsServer).setSecureContext(listenerTlsOptions(message.tls, true));
    }
  });
  // The CAS process disconnects its workers on shutdown (or went away): stop serving, exit.
  process.once('disconnect', () => {
    ipc.failAll();
    // Log lines still buffered for a file destination are written before the process ends.
    void app.close().finally(() => logger.flush(() => process.exit(0)));
  });
  setInterval(flushCounts, COUNT_FLUSH_MS).unref();
  try {
    const bound = await listen(app, { host: init.host, port: init.port }, 'enclave API');
    send({ t: 'listening', port: bound.port });
  } catch (error) {
    logger.error({ err: error }, 'enclave worker cannot listen');
    process.exit(1);
  }
}

process.on('message', (message: ToWorker) => {
  if (ipc.onMessage(message)) return;
  if (message.t === 'init') void start(message);
});
send({ t: 'loaded' });
