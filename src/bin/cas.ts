#!/usr/bin/env node
// Composition root of the `cas` server: reads the availability config, builds the keys, the
// store, the runtime and the two listeners, and prints what an operator needs.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import type { Logger } from 'pino';
import { AuditLog } from '../audit/audit-log.js';
import { loadState, saveState, stateFilePath, stateIdentity, withPinnedCas } from '../cli/state.js';
import {
  availabilityConfigFrom,
  loadAvailabilityConfig,
  type AvailabilityConfig,
} from '../config/availability-config.js';
import { formatAddress } from '../config/listen-address.js';
import { loadOrCreateBackupKey } from '../core/backup/backup-key.js';
import { callPeer } from '../core/backup/peer-client.js';
import { trustedCases } from '../core/backup/trusted-cas.js';
import { attestWorkload } from '../core/attest-workload.js';
import { CasRuntime } from '../core/cas-runtime.js';
import { snapshotStoppedDatabase, takeSnapshot } from '../core/snapshot/take-snapshot.js';
import { enclaveDeps } from '../core/enclave-deps.js';
import { keySealerFrom } from '../core/key-sealer.js';
import { computeMeasurement } from '../core/measurement.js';
import { parseDatabaseKey, selfProvision } from '../core/provisioning/provision-cas.js';
import { defaultSessionEngine } from '../core/sessions/default-session-engine.js';
import { loadOrCreateCasKeys } from '../crypto/cas-keys.js';
import { CasError, isCasError } from '../errors/cas-error.js';
import { registerEnclaveRoutes } from '../http/enclave-api/register-enclave-routes.js';
import { createLogger } from '../http/logger.js';
import { startCasServers, type CasServers } from '../http/server.js';
import { runLas } from '../las/run-las.js';
import { createEcdhSealer } from '../store/seal/ecdh-wrap.js';
import { createSimulationSealer } from '../store/seal/simulation-sealer.js';
import { createStoreProvider, type DatabaseProvider } from '../store/store-provider.js';

/** The folder of the installed package (the nearest package.json above this file). */
function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}
const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
const VERSION = (
  JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }
).version;

const out = (line: string): void => void process.stdout.write(`${line}\n`);

interface Started {
  readonly rt: CasRuntime;
  readonly servers: CasServers;
  readonly logger: Logger;
}

/** Builds and starts a CAS from its config; `beforeListen` may self-provision. */
async function startCas(
  config: AvailabilityConfig,
  beforeListen?: (rt: CasRuntime) => Promise<void>,
): Promise<Started> {
  const logger = createLogger({ simulation: true, destination: process.stderr });
  const sealer = createSimulationSealer({
    stateDir: config.stateDir,
    // PostgreSQL has no database folder; the check only needs a folder that is not the state dir.
    databaseDir:
      config.database.kind === 'sqlite' ? dirname(config.database.path) : dirname(config.stateDir),
  });
  const measurement = computeMeasurement(packageRoot);
  const keys = await loadOrCreateCasKeys({
    stateDir: config.stateDir,
    sealer: keySealerFrom(sealer),
    measurement,
  });
  logger.warn({ seal: sealer.describe() }, 'running in simulation mode: no TEE protects this CAS');
  const backupKey = await loadOrCreateBackupKey(config.stateDir, keySealerFrom(sealer));
  const trusted = trustedCases(config.stateDir);
  const audit = new AuditLog({
    path: config.auditLogPath,
    keys: () => keys,
    now: () => new Date(),
    randomBytes: (n) => randomBytes(n),
    logger,
    version: VERSION,
    // Replicas on one PostgreSQL write one chain, sequenced through the database.
    sharedChain: config.database.kind !== 'sqlite',
  });
  let provider: DatabaseProvider | undefined;
  const snapshotDir = config.snapshots.dir;
  const rt = await CasRuntime.start({
    keys,
    measurement,
    version: VERSION,
    platformMode: 'sim',
    logger,
    env: { now: () => new Date(), randomBytes: (n) => randomBytes(n) },
    storeProvider: (provider = await createStoreProvider({
      database:
        config.database.kind === 'sqlite'
          ? { path: config.database.path, keyStorePath: config.database.keyStorePath }
          : { url: config.database.url },
      stateDir: config.stateDir,
      instanceKeyHash: keys.casKeyHash,
      signer: (message) => keys.signWithCasKey(message),
      // Its own entries, and those of primaries that registered this CAS as their backup.
      verifier: (message, signature, signedBy) =>
        signedBy === keys.casKeyHash
          ? keys.verifyWithCasKey(message, signature)
          : trusted.verify(message, signature, signedBy),
      sealer,
      // Opens the entry a primary or replica wrapped to this CAS at registration (file or table).
      backupSealer: createEcdhSealer(backupKey),
    })),
    sessions: defaultSessionEngine,
    audit,
    // A replica on a shared PostgreSQL waits to be registered; a SQLite copy still refuses.
    awaitRegistration: config.database.kind !== 'sqlite',
    backups: {
      backupKey,
      trusted,
      addToKeyStore: async (recipient) => {
        const opened = provider?.current();
        if (opened === undefined) {
          throw new CasError('CAS_BACKUP_NOT_AVAILABLE', 'the database is not open');
        }
        await opened.addBackup(recipient);
      },
      callPeer,
      ...(snapshotDir === undefined
        ? {}
        : {
            snapshot: async () => {
              const opened = provider?.current();
              if (opened?.backupTo === undefined || config.database.kind !== 'sqlite') {
                throw new CasError(
                  'CAS_BACKUP_SNAPSHOT_FAILED',
                  'snapshots need an open SQLite database (PostgreSQL: use its own backups)',
                );
              }
              return takeSnapshot(
                {
                  backupDatabase: (path) => opened.backupTo?.(path) ?? Promise.resolve(),
                  keyStorePath: config.database.keyStorePath,
                  casKeyHash: keys.casKeyHash,
                },
                snapshotDir,
                new Date(),
              );
            },
          }),
    },
  });
  scheduleSnapshots(rt, config, logger);
  awaitRegistration(rt, logger);
  await beforeListen?.(rt);
  const deps = enclaveDeps(rt);
  const servers = await startCasServers(rt, {
    apiListen: config.apiListen,
    enclaveListen: config.enclaveListen,
    logger,
    registerEnclaveRoutes: (app) => registerEnclaveRoutes(app, deps),
    // [api] enclave_workers > 0: workers serve TLS and HTTP; attestation stays in this process.
    enclaveWorkers: {
      count: config.enclaveWorkers,
      attest: (input) => attestWorkload(deps, input),
      log: { simulation: true, to: 'stderr' },
    },
  });
  return { rt, servers, logger };
}

/** How often a replica awaiting registration looks for its key-store entry. */
const REGISTRATION_POLL_MS = 2000;

/**
 * A replica not yet registered for its shared database: says what the operator must run,
 * then re-reads the key store until a registered replica has added this CAS's entry, and
 * serves from then on (no restart).
 */
function awaitRegistration(rt: CasRuntime, logger: Logger): void {
  if (rt.state !== 'awaiting_registration') return;
  logger.warn(
    { cas_key_hash: rt.keys.casKeyHash },
    'this replica is not registered for its database: it serves only /health, its identity and backup evidence; run `scone cas register-backup <this client API address>` against a registered replica',
  );
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    rt.completeRegistration().then(
      (done) => {
        busy = false;
        if (!done) return;
        clearInterval(timer);
        logger.info({ cas_key_hash: rt.keys.casKeyHash }, 'registered: serving the database');
      },
      (error: unknown) => {
        busy = false;
        logger.warn(
          { code: isCasError(error) ? error.code : 'CAS_INTERNAL' },
          'awaiting registration: the key store could not be opened yet',
        );
      },
    );
  }, REGISTRATION_POLL_MS);
  timer.unref();
}

/** Takes a snapshot every `[snapshots] interval` while the CAS is provisioned. */
function scheduleSnapshots(rt: CasRuntime, config: AvailabilityConfig, logger: Logger): void {
  const seconds = config.snapshots.intervalSeconds;
  const backups = rt.deps.backups;
  if (seconds === undefined || backups?.snapshot === undefined) return;
  const timer = setInterval(() => {
    if (rt.state !== 'provisioned') return;
    backups.snapshot?.().then(
      (folder) => logger.info({ folder }, 'scheduled snapshot taken'),
      (error: unknown) =>
        logger.error(
          { code: isCasError(error) ? error.code : 'CAS_INTERNAL' },
          'scheduled snapshot failed',
        ),
    );
  }, seconds * 1000);
  timer.unref();
}

/** `cas snapshot`: a snapshot of a database no CAS is running on. */
async function snapshotCommand(
  configFile: string | undefined,
  opts: { dir?: string },
): Promise<void> {
  const config = loadAvailabilityConfig(configFile, process.cwd());
  const dir = opts.dir === undefined ? config.snapshots.dir : resolve(opts.dir);
  if (dir === undefined) {
    throw new CasError(
      'CAS_BACKUP_SNAPSHOT_NOT_CONFIGURED',
      'give --dir DIR or set [snapshots] dir',
    );
  }
  if (config.database.kind !== 'sqlite') {
    throw new CasError('CAS_BACKUP_SNAPSHOT_FAILED', 'cas snapshot copies SQLite databases only');
  }
  const folder = await snapshotStoppedDatabase(
    {
      databasePath: config.database.path,
      keyStorePath: config.database.keyStorePath,
      casKeyHash: '',
    },
    dir,
    new Date(),
  );
  out(`Snapshot written to ${folder}`);
}

function printStarted({ rt, servers }: Started): void {
  if (rt.state === 'unprovisioned') {
    out(`CAS key hash: ${rt.keys.casKeyHash}`);
    out(`CAS provisioning token: ${rt.provisioningToken ?? ''}`);
  } else if (rt.state === 'awaiting_registration') {
    out(`CAS key hash: ${rt.keys.casKeyHash}`);
    out(
      `CAS awaiting registration: run scone cas register-backup ${formatAddress(servers.clientAddress)} against a registered replica`,
    );
  } else {
    out(`CAS key hash: ${rt.keys.casKeyHash}`);
  }
  out(`CAS software key hash: ${rt.keys.softwareKeyHash}`);
  out(`CAS client API: https://${formatAddress(servers.clientAddress)}/ (simulation mode)`);
  out(`CAS enclave API: ${formatAddress(servers.enclaveAddress)}`);
}

function stopOnSignal(close: () => Promise<void>): void {
  const stop = (): void => void close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function readDatabaseKey(opts: {
  databaseKeyFile?: string;
  databaseKey?: string;
}): Promise<Uint8Array | undefined> {
  if (opts.databaseKey !== undefined) {
    process.stderr.write(
      'Warning: --database-key puts the key on the command line, where ps and shell history can see it; prefer --database-key-file\n',
    );
    return parseDatabaseKey(opts.databaseKey);
  }
  if (opts.databaseKeyFile === undefined) return undefined;
  if (opts.databaseKeyFile === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return parseDatabaseKey(Buffer.concat(chunks).toString('utf8'));
  }
  return parseDatabaseKey(readFileSync(opts.databaseKeyFile, 'utf8'));
}

async function serve(configFile: string | undefined): Promise<void> {
  const started = await startCas(loadAvailabilityConfig(configFile, process.cwd()));
  printStarted(started);
  stopOnSignal(async () => {
    await started.servers.close();
    await started.rt.close();
  });
}

async function provision(
  configFile: string | undefined,
  opts: {
    ownerConfig: string;
    ownerIdentity: string;
    skipIfAlreadyProvisioned?: boolean;
    databaseKeyFile?: string;
    databaseKey?: string;
  },
): Promise<void> {
  const config = loadAvailabilityConfig(configFile, process.cwd());
  const databaseKey = await readDatabaseKey(opts);
  const started = await startCas(config, async (rt) => {
    const done = await selfProvision(rt, {
      ownerCertPem: readFileSync(opts.ownerIdentity, 'utf8'),
      ownerConfig: readFileSync(opts.ownerConfig, 'utf8'),
      ownerConfigFile: opts.ownerConfig,
      databaseKey,
      skipIfAlreadyProvisioned: opts.skipIfAlreadyProvisioned === true,
    });
    out(
      done
        ? 'CAS provisioned (self-provisioning).'
        : 'CAS already provisioned; skipping provisioning.',
    );
  });
  printStarted(started);
  stopOnSignal(async () => {
    await started.servers.close();
    await started.rt.close();
  });
}

/**
 * `cas [-c FILE] dev [--las-listen ADDR]`: a development CAS (by default in ./.cas-dev on
 * 127.0.0.1:8081 and :18765), owned and attested by the current CLI identity, with a LAS.
 */
async function dev(configFile: string | undefined, lasListen: string): Promise<void> {
  const root = resolve(process.cwd(), '.cas-dev');
  const config =
    configFile !== undefined
      ? loadAvailabilityConfig(configFile, process.cwd())
      : availabilityConfigFrom(
          {
            database: { path: 'db/cas.db' },
            api: { api_listen: '127.0.0.1:8081', enclave_listen: '127.0.0.1:18765' },
            platform: { state_dir: 'state' },
            audit_log: { path: 'cas-audit.log' },
          },
          '(cas dev)',
          root,
        );
  const statePath = stateFilePath({ env: process.env, homedir: homedir() });
  const loaded = await loadState(statePath, (m) => process.stderr.write(`Warning: ${m}\n`));
  const identity = stateIdentity(loaded);
  const started = await startCas(config, async (rt) => {
    await selfProvision(rt, {
      ownerCertPem: identity.certPem,
      ownerConfig:
        '[api_identity]\ncommon_name = "cas"\nalt_names = ["cas", "localhost", "127.0.0.1"]\n',
      ownerConfigFile: '(cas dev)',
      skipIfAlreadyProvisioned: true,
    });
  });
  const address = formatAddress(started.servers.clientAddress);
  const { rt } = started;
  const name = 'dev';
  await saveState(
    statePath,
    withPinnedCas({ ...loaded.state, default_cas: loaded.state.default_cas ?? name }, name, {
      url: `https://${address}/`,
      address,
      chain: rt.keys.chainPem,
      cas_key_hash: rt.keys.casKeyHash,
      software_key_hash: rt.keys.softwareKeyHash,
      relaxations: ['only_for_testing-debug'],
      attested_at: new Date().toISOString(),
    }),
  );
  const las = await runLas(
    ['--listen', lasListen, '--state-dir', resolve(config.stateDir, '..', 'las')],
    out,
    (l) => process.stderr.write(`${l}\n`),
  );
  printStarted(started);
  out(`LAS: ${las.address.address}:${las.address.port}`);
  out(`Owner: your CLI identity ${identity.keyHash}`);
  out(
    `Pinned in ${statePath} as CAS "${name}" (simulation, relaxation only_for_testing-debug recorded).`,
  );
  out('Next, try:');
  out('  scone cas list');
  out(`  scone session create my-session.yaml --cas ${name}`);
  out(`  scone session read <name> --cas ${name}`);
  out(
    `  SCONE_CAS_ADDR=127.0.0.1:${started.servers.enclaveAddress.port} SCONE_CONFIG_ID=<session>/<service> cas-run -- <program>`,
  );
  stopOnSignal(async () => {
    await las.close();
    await started.servers.close();
    await rt.close();
  });
}

const program = new Command('cas')
  .description('Configuration and Attestation Service (CAS) server')
  .option('-c, --config <FILE>', 'availability config (TOML); default ./cas.toml if present')
  .version(VERSION, '--version')
  .exitOverride();
program
  .command('serve', { isDefault: true })
  .description('run the server')
  .action(() => serve(program.opts<{ config?: string }>().config));
program
  .command('provision')
  .description('self-provision with the given owner, then serve')
  .requiredOption('--owner-config <FILE>', 'owner config (TOML, JSON or YAML)')
  .requiredOption('--owner-identity <CERT>', 'PEM certificate of the owner')
  .option('--skip-if-already-provisioned', 'do nothing when the CAS already has an owner')
  .option(
    '--database-key-file <FILE>',
    'inject the database key (64 hex) from FILE, or - for stdin',
  )
  .option(
    '--database-key <HEX64>',
    'inject the database key (visible to ps: prefer --database-key-file)',
  )
  .action((opts: Parameters<typeof provision>[1]) =>
    provision(program.opts<{ config?: string }>().config, opts),
  );
program
  .command('dev')
  .description('development CAS + LAS in ./.cas-dev, owned and attested by your CLI identity')
  .option('--las-listen <ADDR>', 'address of the LAS', '127.0.0.1:18766')
  .action((opts: { lasListen: string }) =>
    dev(program.opts<{ config?: string }>().config, opts.lasListen),
  );
program
  .command('snapshot')
  .description('copy the database and its key store into a timestamped folder (CAS stopped)')
  .option('--dir <DIR>', 'where (default: [snapshots] dir)')
  .action((opts: { dir?: string }) =>
    snapshotCommand(program.opts<{ config?: string }>().config, opts),
  );
program
  .command('measurement')
  .description("print this build's measurement (64 hex)")
  .action(() => out(computeMeasurement(packageRoot)));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 1);
  if (isCasError(error)) {
    process.stderr.write(`Error: ${error.message} (${error.code})\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(4);
}
