// The CAS under test, in its own process: composed as `cas provision` composes it (SQLite under
// the encryption barrier, simulation sealer, both listeners on 127.0.0.1:0), self-provisioned
// with the load process's owner identity. Driven by bench/run.mjs over IPC.
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog } from '../src/audit/audit-log.js';
import { availabilityConfigFrom } from '../src/config/availability-config.js';
import { attestWorkload } from '../src/core/attest-workload.js';
import { CasRuntime } from '../src/core/cas-runtime.js';
import { enclaveDeps } from '../src/core/enclave-deps.js';
import { keySealerFrom } from '../src/core/key-sealer.js';
import { selfProvision } from '../src/core/provisioning/provision-cas.js';
import { defaultSessionEngine } from '../src/core/sessions/default-session-engine.js';
import { loadOrCreateCasKeys } from '../src/crypto/cas-keys.js';
import { registerEnclaveRoutes } from '../src/http/enclave-api/register-enclave-routes.js';
import { createLogger } from '../src/http/logger.js';
import { startCasServers, type CasServers } from '../src/http/server.js';
import { createSimulationSealer } from '../src/store/seal/simulation-sealer.js';
import { createStoreProvider } from '../src/store/store-provider.js';
import { bulkInsertSessions } from './bulk-insert.js';
import { serveIpc } from './ipc.js';

const MEASUREMENT = 'be'.repeat(32);
let rt: CasRuntime | undefined;
let servers: CasServers | undefined;
let dbPath = '';

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

// A normal exit, so that `--cpu-prof` writes its profile.
process.once('SIGTERM', () => process.exit(0));

serveIpc({
  async start(args) {
    const dir = String(args['dir']);
    const config = availabilityConfigFrom(
      {
        database: { path: 'db/cas.db' },
        api: { api_listen: '127.0.0.1:0', enclave_listen: '127.0.0.1:0' },
        platform: { state_dir: 'state' },
        audit_log: { path: 'cas-audit.log' },
      },
      '(bench)',
      dir,
    );
    if (config.database.kind !== 'sqlite') throw new Error('the bench runs on SQLite');
    dbPath = config.database.path;
    // The CAS's own log level (info: one line per provisioning), into a file of the temp dir.
    mkdirSync(dir, { recursive: true });
    const logger = createLogger({
      simulation: true,
      destination: createWriteStream(join(dir, 'cas.log')),
      ...(process.env['BENCH_LOG_LEVEL'] ? { level: process.env['BENCH_LOG_LEVEL'] } : {}),
    });
    const sealer = createSimulationSealer({
      stateDir: config.stateDir,
      databaseDir: join(dir, 'db'),
    });
    const keys = await loadOrCreateCasKeys({
      stateDir: config.stateDir,
      sealer: keySealerFrom(sealer),
      measurement: MEASUREMENT,
    });
    // The audit log as `cas` wires it: every provisioning and session change leaves a line.
    const audit = new AuditLog({
      path: config.auditLogPath,
      keys: () => keys,
      now: () => new Date(),
      randomBytes: (n) => randomBytes(n),
      logger,
      version: 'bench',
    });
    rt = await CasRuntime.start({
      keys,
      measurement: MEASUREMENT,
      version: 'bench',
      platformMode: 'sim',
      logger,
      env: { now: () => new Date(), randomBytes: (n) => randomBytes(n) },
      // As `cas` opens it: signed key-store entries, the database key sealed to this instance.
      storeProvider: await createStoreProvider({
        database: { path: config.database.path, keyStorePath: config.database.keyStorePath },
        stateDir: config.stateDir,
        instanceKeyHash: keys.casKeyHash,
        signer: (message) => keys.signWithCasKey(message),
        verifier: (message, signature, signedBy) =>
          signedBy === keys.casKeyHash && keys.verifyWithCasKey(message, signature),
        sealer,
      }),
      sessions: defaultSessionEngine,
      audit,
    });
    await selfProvision(rt, {
      ownerCertPem: String(args['ownerCertPem']),
      ownerConfig:
        '[api_identity]\ncommon_name = "cas"\nalt_names = ["localhost", "127.0.0.1"]\n' +
        // The owner's choice; the default (and the committed run) is no audit log.
        (args['auditMode'] === undefined
          ? ''
          : `[audit_log]\nmode = "${args['auditMode'] as string}"\n`),
      ownerConfigFile: '(bench)',
      skipIfAlreadyProvisioned: true,
    });
    const running = rt;
    const deps = enclaveDeps(running);
    // BENCH_ENCLAVE_WORKERS=N: as `[api] enclave_workers = N`; the workers log to their own file.
    const workers = Number(process.env['BENCH_ENCLAVE_WORKERS'] ?? 0);
    servers = await startCasServers(running, {
      apiListen: config.apiListen,
      enclaveListen: config.enclaveListen,
      logger,
      registerEnclaveRoutes: (app) => registerEnclaveRoutes(app, deps),
      enclaveWorkers: {
        count: workers,
        attest: (input) => attestWorkload(deps, input),
        log: {
          simulation: true,
          to: { file: join(dir, 'cas-workers.log') },
          ...(process.env['BENCH_LOG_LEVEL'] ? { level: process.env['BENCH_LOG_LEVEL'] } : {}),
        },
      },
    });
    // The limit server presents the very same chain and key (bench temp dir only).
    writeFileSync(join(dir, 'tls-key.pem'), running.keys.softwareKeyPem, { mode: 0o600 });
    writeFileSync(join(dir, 'tls-chain.pem'), running.keys.chainPem);
    return {
      pid: process.pid,
      clientPort: servers.clientAddress.port,
      enclavePort: servers.enclaveAddress.port,
      casKeyHash: running.keys.casKeyHash,
      softwareKeyHash: running.keys.softwareKeyHash,
      casCertPem: running.keys.casCertPem,
    };
  },
  async bulk(args) {
    if (rt === undefined) throw new Error('not started');
    const t0 = performance.now();
    const inserted = await bulkInsertSessions(
      rt.store(),
      String(args['template']),
      Number(args['from']),
      Number(args['to']),
      t0 + Number(args['budgetSeconds'] ?? Infinity) * 1000,
    );
    return { inserted, seconds: (performance.now() - t0) / 1000 };
  },
  stats() {
    return Promise.resolve({
      rssBytes: process.memoryUsage().rss,
      dbBytes: fileSize(dbPath) + fileSize(`${dbPath}-wal`) + fileSize(`${dbPath}-shm`),
    });
  },
  async stop() {
    await servers?.close();
    await rt?.close();
    setImmediate(() => process.exit(0));
    return {};
  },
});
