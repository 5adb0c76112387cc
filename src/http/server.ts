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
import { countRequests, createMetrics, type CasMetrics } from './metrics.js';

/** The two running listeners. */
export interface CasServers {
  readonly client: FastifyInstance;
  readonly enclave: FastifyInstance;
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
}

function tlsOptions(keys: CasKeys, enclave: boolean): SecureContextOptions {
  return {
    key: keys.softwareKeyPem,
    cert: keys.chainPem,
    minVersion: 'TLSv1.3',
    // The enclave API binds nonces to one connection: no session tickets (resumption).
    ...(enclave ? { secureOptions: constants.SSL_OP_NO_TICKET } : {}),
  };
}

function build(
  rt: CasRuntime,
  logger: Logger,
  extra: { readonly enclave: boolean },
): FastifyInstance {
  return fastify({
    loggerInstance: logger.child({ api: extra.enclave ? 'enclave' : 'client' }),
    forceCloseConnections: true,
    bodyLimit: 64 * 1024,
    https: {
      ...tlsOptions(rt.keys, extra.enclave),
      // Client certificates are self-signed identities: accept any at the TLS layer; routes that
      // need one check for it (CAS_SERVER_CLIENT_CERT_REQUIRED) and use its key hash.
      requestCert: true,
      rejectUnauthorized: false,
    },
  }) as unknown as FastifyInstance;
}

async function listen(
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
  const client = build(rt, options.logger, { enclave: false });
  installErrorMapping(client);
  countRequests(client, metrics, 'client');
  registerPublicRoutes(client, rt, metrics);
  registerOwnerRoutes(client, rt);
  registerBackupRoutes(client, rt);
  await registerSessionRoutes(client, rt);

  const enclave = build(rt, options.logger, { enclave: true });
  installErrorMapping(enclave);
  countRequests(enclave, metrics, 'enclave');
  enclave.get('/health', () => ({ state: rt.state }));
  await options.registerEnclaveRoutes?.(enclave);

  rt.onKeysChanged((keys) => {
    (client.server as HttpsServer).setSecureContext(tlsOptions(keys, false));
    (enclave.server as HttpsServer).setSecureContext(tlsOptions(keys, true));
  });
  const clientAddress = await listen(client, options.apiListen, 'client API');
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
    metrics,
    async close() {
      await Promise.all([client.close(), enclave.close()]);
    },
  };
}
