import { constants } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server as HttpsServer } from 'node:https';
import type { SecureContextOptions } from 'node:tls';
import { fastify, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ListenAddress } from '../config/listen-address.js';
import type { CasRuntime } from '../core/cas-runtime.js';
import type { CasKeys } from '../crypto/cas-keys.js';
import { CasError } from '../errors/cas-error.js';
import { registerBackupRoutes } from './client-api/backup-routes.js';
import { registerOwnerRoutes } from './client-api/owner-routes.js';
import { registerPublicRoutes } from './client-api/public-routes.js';
import { registerSessionRoutes } from './client-api/session-routes.js';
import { installErrorMapping } from './error-mapper.js';
import { startEnclaveWorkers, type EnclaveWorkersOptions } from './enclave-workers/primary.js';
import { countRequests, createMetrics, type CasMetrics, type RequestCounter } from './metrics.js';
import { CasLogController } from './request-log.js';

/** The two running listeners. */
export interface CasServers {
  readonly client: FastifyInstance;
  /** The enclave listener's app; absent when enclave workers serve the enclave API. */
  readonly enclave?: FastifyInstance;
  /** Process ids of the enclave workers (empty in-process). */
  readonly enclaveWorkerPids: () => readonly number[];
  readonly clientAddress: ListenAddress;
  readonly enclaveAddress: ListenAddress;
  readonly metrics: CasMetrics;
  close(): Promise<void>;
}

/** Options of {@link startCasServers}. */
export interface StartServersOptions {
  readonly apiListen: ListenAddress;
  readonly enclaveListen: ListenAddress;
  readonly logger: Logger;
  /** Mounts the enclave API's routes (the enclave engineer's `registerEnclaveRoutes`). */
  readonly registerEnclaveRoutes?: (app: FastifyInstance) => Promise<void> | void;
  /**
   * Serve the enclave API from `count` worker processes (`[api] enclave_workers`) that ask
   * this process to attest; `registerEnclaveRoutes` is then not used. Absent or count 0:
   * in-process.
   */
  readonly enclaveWorkers?: Omit<EnclaveWorkersOptions, 'listen' | 'logger' | 'counter'>;
}

/** The TLS options of a listener; the enclave one issues no session tickets. */
export function listenerTlsOptions(
  tls: { readonly key: string; readonly cert: string },
  enclave: boolean,
): SecureContextOptions {
  return {
    key: tls.key,
    cert: tls.cert,
    minVersion: 'TLSv1.3',
    // The enclave API binds nonces to one connection: no session tickets (resumption).
    ...(enclave ? { secureOptions: constants.SSL_OP_NO_TICKET } : {}),
  };
}

function tlsOf(keys: CasKeys): { key: string; cert: string } {
  return { key: keys.softwareKeyPem, cert: keys.chainPem };
}

/** A listener's Fastify app (not listening yet): TLS 1.3, any client certificate accepted. */
export function buildListener(
  tls: { readonly key: string; readonly cert: string },
  logger: Logger,
  enclave: boolean,
): FastifyInstance {
  return fastify({
    loggerInstance: logger.child({ api: enclave ? 'enclave' : 'client' }),
    logController: new CasLogController(),
    forceCloseConnections: true,
    bodyLimit: 64 * 1024,
    https: {
      ...listenerTlsOptions(tls, enclave),
      // Client certificates are self-signed identities: accept any at the TLS layer; routes that
      // need one check for it (CAS_SERVER_CLIENT_CERT_REQUIRED) and use its key hash.
      requestCert: true,
      rejectUnauthorized: false,
    },
  }) as unknown as FastifyInstance;
}

/** What the enclave listener has besides its routes, in the CAS process or in a worker. */
export function mountEnclaveListener(
  app: FastifyInstance,
  counter: RequestCounter,
  state: () => string | Promise<string>,
): void {
  installErrorMapping(app);
  countRequests(app, counter, 'enclave');
  app.get('/health', async () => ({ state: await state() }));
}

/**
 * Listens and returns the bound address (the real port when `address.port` is 0).
 *
 * @throws CAS_SERVER_LISTEN_FAILED
 */
export async function listen(
  app: FastifyInstance,
  address: ListenAddress,
  what: string,
): Promise<ListenAddress> {
  try {
    await app.listen({ host: address.host, port: address.port });
  } catch (cause) {
    throw new CasError(
      'CAS_SERVER_LISTEN_FAILED',
      `cannot listen on ${address.host}:${address.port} (${what})`,
      {
        cause,
      },
    );
  }
  const bound = app.server.address() as AddressInfo;
  return { host: address.host, port: bound.port };
}

/**
 * Builds and starts the client API (mutual TLS) and the enclave API on their addresses, with
 * the TLS chain software key ← CAS key. When the owner config changes the TLS identity, both
 * listeners switch to the new leaf without a restart.
 *
 * @throws CAS_SERVER_LISTEN_FAILED.
 */
export async function startCasServers(
  rt: CasRuntime,
  options: StartServersOptions,
): Promise<CasServers> {
  const metrics = createMetrics();
  const client = buildListener(tlsOf(rt.keys), options.logger, false);
  installErrorMapping(client);
  countRequests(client, metrics.requests, 'client');
  registerPublicRoutes(client, rt, metrics);
  registerOwnerRoutes(client, rt);
  registerBackupRoutes(client, rt);
  await registerSessionRoutes(client, rt);
  rt.onKeysChanged((keys) => {
    (client.server as HttpsServer).setSecureContext(listenerTlsOptions(tlsOf(keys), false));
  });
  const clientAddress = await listen(client, options.apiListen, 'client API');
  const workers = options.enclaveWorkers;
  if (workers !== undefined && workers.count > 0) {
    try {
      const started = await startEnclaveWorkers(rt, {
        ...workers,
        listen: options.enclaveListen,
        logger: options.logger,
        counter: metrics.requests,
      });
      return {
        client,
        clientAddress,
        enclaveAddress: started.address,
        enclaveWorkerPids: started.pids,
        metrics,
        async close() {
          await Promise.all([client.close(), started.close()]);
        },
      };
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  const enclave = buildListener(tlsOf(rt.keys), options.logger, true);
  mountEnclaveListener(enclave, metrics.requests, () => rt.state);
  await options.registerEnclaveRoutes?.(enclave);
  rt.onKeysChanged((keys) => {
    (enclave.server as HttpsServer).setSecureContext(listenerTlsOptions(tlsOf(keys), true));
  });
  let enclaveAddress: ListenAddress;
  try {
    enclaveAddress = await listen(enclave, options.enclaveListen, 'enclave API');
  } catch (error) {
    await client.close();
    throw error;
  }
  return {
    client,
    enclave,
    clientAddress,
    enclaveAddress,
    enclaveWorkerPids: () => [],
    metrics,
    async close() {
      await Promise.all([client.close(), enclave.close()]);
    },
  };
}
