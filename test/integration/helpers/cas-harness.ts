import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { CasRuntime } from '../../../src/core/cas-runtime.js';
import { enclaveDeps } from '../../../src/core/enclave-deps.js';
import type { StoreProvider } from '../../../src/core/ports.js';
import { defaultSessionEngine } from '../../../src/core/sessions/default-session-engine.js';
import { createMemoryStoreProvider } from '../../../src/core/store-provider.js';
import { generateIdentity, type Identity } from '../../../src/crypto/identity.js';
import { registerEnclaveRoutes } from '../../../src/http/enclave-api/register-enclave-routes.js';
import { createLogger } from '../../../src/http/logger.js';
import { startCasServers, type CasServers } from '../../../src/http/server.js';
import { createStoreProvider } from '../../../src/store/store-provider.js';
import { createSimulationSealer } from '../../../src/store/seal/simulation-sealer.js';
import { simulationCasKeys } from '../../helpers/simulation-cas-keys.js';

/** A CAS running in this process on 127.0.0.1:0, with its log captured. */
export interface TestCas {
  readonly rt: CasRuntime;
  readonly servers: CasServers;
  readonly port: number;
  readonly stateDir: string;
  readonly log: () => string;
  stop(): Promise<void>;
}

export const MEASUREMENT = 'ab'.repeat(32);

/** Starts a CAS over `provider` (a fresh in-memory database by default). */
export async function startTestCas(
  options: { provider?: StoreProvider; stateDir?: string; sqliteDir?: string } = {},
): Promise<TestCas> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'cas-state-'));
  const dbDir = mkdtempSync(join(tmpdir(), 'cas-db-'));
  const keys = await simulationCasKeys(MEASUREMENT, { stateDir, databaseDir: dbDir });
  let logText = '';
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logText += chunk.toString('utf8');
      done();
    },
  });
  const logger = createLogger({ simulation: true, destination, level: 'debug' });
  const rt = await CasRuntime.start({
    keys,
    measurement: MEASUREMENT,
    version: '0.1.0',
    platformMode: 'sim',
    logger,
    env: { now: () => new Date(), randomBytes: (n) => randomBytes(n) },
    storeProvider:
      options.sqliteDir === undefined
        ? (options.provider ?? createMemoryStoreProvider())
        : await createStoreProvider({
            database: { path: join(options.sqliteDir, 'cas.db') },
            stateDir,
            instanceKeyHash: keys.casKeyHash,
            signer: (m) => keys.signWithCasKey(m),
            verifier: (m, sig, by) => by === keys.casKeyHash && keys.verifyWithCasKey(m, sig),
            sealer: createSimulationSealer({ stateDir, databaseDir: options.sqliteDir }),
          }),
    sessions: defaultSessionEngine,
  });
  const servers = await startCasServers(rt, {
    apiListen: { host: '127.0.0.1', port: 0 },
    enclaveListen: { host: '127.0.0.1', port: 0 },
    logger,
    registerEnclaveRoutes: (app) => registerEnclaveRoutes(app, enclaveDeps(rt)),
  });
  return {
    rt,
    servers,
    port: servers.clientAddress.port,
    stateDir,
    log: () => logText,
    async stop() {
      await servers.close();
      await rt.close();
      rmSync(dbDir, { recursive: true, force: true });
    },
  };
}

/** A response as the tests look at it. */
export interface TestResponse {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
  readonly peerCertificate: Buffer | undefined;
}

/** One HTTPS request, with `identity` as the client certificate (none when undefined). */
export function call(
  port: number,
  method: string,
  path: string,
  options: { identity?: Identity | undefined; body?: string | object; contentType?: string } = {},
): Promise<TestResponse> {
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const contentType =
    options.contentType ??
    (typeof options.body === 'object' ? 'application/json' : 'application/x-yaml');
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        rejectUnauthorized: false,
        agent: false,
        ...(options.identity === undefined
          ? {}
          : { key: options.identity.keyPem(), cert: options.identity.certPem }),
        headers: body === undefined ? {} : { 'content-type': contentType },
      },
      (res) => {
        let text = '';
        const peer = (res.socket as TLSSocket).getPeerCertificate();
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text, peerCertificate: peer.raw });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The error code of a response body. */
export function codeOf(response: TestResponse): string | undefined {
  return (response.body as { error?: { code?: string } } | undefined)?.error?.code;
}

/** Provisions `cas` with `owner`, asserting nothing. */
export async function provision(
  cas: TestCas,
  owner: Identity,
  ownerConfig = '[api_identity]\ncommon_name = "cas"\n',
) {
  return call(cas.port, 'POST', '/v1/provision', {
    identity: owner,
    body: {
      token: cas.rt.provisioningToken ?? '',
      cas_key_hash: cas.rt.keys.casKeyHash,
      owner_config: ownerConfig,
    },
  });
}

export { generateIdentity };
