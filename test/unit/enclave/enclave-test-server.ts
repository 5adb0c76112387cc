import { constants } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fastify, type FastifyInstance } from 'fastify';
import { generateIdentity, type Identity } from '../../../src/crypto/identity.js';
import { installErrorMapping } from '../../../src/http/error-mapper.js';
import {
  registerEnclaveRoutes,
  type EnclaveRouteDeps,
} from '../../../src/http/enclave-api/register-enclave-routes.js';

/** An enclave API on a loopback port, with the TLS identity workloads pin. */
export interface EnclaveTestServer {
  readonly app: FastifyInstance;
  /** The CAS's TLS identity (its `keyHash` is what a workload pins). */
  readonly identity: Identity;
  readonly port: number;
}

/**
 * Serves the enclave routes over `deps` on `127.0.0.1:<ephemeral>` with the CAS's TLS settings:
 * TLS 1.3 only, a client certificate requested but checked by the routes (not by TLS), no
 * session tickets. Close it with `app.close()`.
 */
export async function startEnclaveTestServer(deps: EnclaveRouteDeps): Promise<EnclaveTestServer> {
  const identity = await generateIdentity();
  const app = fastify({
    https: {
      key: identity.keyPem(),
      cert: identity.certPem,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.3',
      secureOptions: constants.SSL_OP_NO_TICKET,
    },
  });
  installErrorMapping(app);
  registerEnclaveRoutes(app, deps);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, identity, port: (app.server.address() as AddressInfo).port };
}
