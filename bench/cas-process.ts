// The CAS under test, in its own process: the `cas` server's own composition (startCas: SQLite
// under the encryption barrier, simulation sealer, audit log, backups, both listeners on
// 127.0.0.1:0), self-provisioned with the load process's owner identity. Driven by
// bench/run.mjs over IPC.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCas } from '../src/bin/cas/start-cas.js';
import { availabilityConfigFrom } from '../src/config/availability-config.js';
import type { CasRuntime } from '../src/core/cas-runtime.js';
import { selfProvision } from '../src/core/provisioning/provision-cas.js';
import type { CasServers } from '../src/http/server.js';
import { bulkInsertSessions } from './bulk-insert.js';
import { serveIpc } from './ipc.js';

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
        api: {
          api_listen: '127.0.0.1:0',
          enclave_listen: '127.0.0.1:0',
          enclave_workers: Number(process.env['BENCH_ENCLAVE_WORKERS'] ?? 0),
          session_workers: Number(process.env['BENCH_SESSION_WORKERS'] ?? 0),
        },
        platform: { state_dir: 'state' },
        audit_log: { path: 'cas-audit.log' },
      },
      '(bench)',
      dir,
    );
    if (config.database.kind !== 'sqlite') throw new Error('the bench runs on SQLite');
    dbPath = config.database.path;
    // Exactly what `cas` runs (its log goes to this process's stderr, a file of the temp dir),
    // self-provisioned with the load process's owner identity before it listens.
    const started = await startCas(config, (cas) =>
      selfProvision(cas, {
        ownerCertPem: String(args['ownerCertPem']),
        ownerConfig:
          '[api_identity]\ncommon_name = "cas"\nalt_names = ["localhost", "127.0.0.1"]\n' +
          // The owner's choice; the default (and the committed run) is no audit log.
          (args['auditMode'] === undefined
            ? ''
            : `[audit_log]\nmode = "${args['auditMode'] as string}"\n`),
        ownerConfigFile: '(bench)',
        skipIfAlreadyProvisioned: true,
      }).then(() => undefined),
    );
    rt = started.rt;
    servers = started.servers;
    // The limit server presents the very same chain and key (bench temp dir only).
    writeFileSync(join(dir, 'tls-key.pem'), rt.keys.softwareKeyPem, { mode: 0o600 });
    writeFileSync(join(dir, 'tls-chain.pem'), rt.keys.chainPem);
    return {
      pid: process.pid,
      clientPort: servers.clientAddress.port,
      enclavePort: servers.enclaveAddress.port,
      casKeyHash: rt.keys.casKeyHash,
      softwareKeyHash: rt.keys.softwareKeyHash,
      casCertPem: rt.keys.casCertPem,
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
