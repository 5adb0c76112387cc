// Composition root of the `cas` server: builds the keys, the store, the runtime and the two
// listeners from the availability config.
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { AuditLog } from '../../audit/audit-log.js';
import type { AvailabilityConfig } from '../../config/availability-config.js';
import { loadOrCreateBackupKey } from '../../core/backup/backup-key.js';
import { callPeer } from '../../core/backup/peer-client.js';
import { trustedCases } from '../../core/backup/trusted-cas.js';
import { attestWorkload } from '../../core/attest-workload.js';
import { CasRuntime } from '../../core/cas-runtime.js';
import { takeSnapshot } from '../../core/snapshot/take-snapshot.js';
import { enclaveDeps } from '../../core/enclave-deps.js';
import { keySealerFrom } from '../../core/key-sealer.js';
import { computeMeasurement } from '../../core/measurement.js';
import { defaultSessionEngine } from '../../core/sessions/default-session-engine.js';
import type { SessionEngine } from '../../core/sessions/session-engine.js';
import { startSessionWorkers } from '../../core/sessions/workers/session-workers.js';
import { loadOrCreateCasKeys } from '../../crypto/cas-keys.js';
import { CasError } from '../../errors/cas-error.js';
import { registerEnclaveRoutes } from '../../http/enclave-api/register-enclave-routes.js';
import { createLogger } from '../../http/logger.js';
import { startCasServers, type CasServers } from '../../http/server.js';
import { createEcdhSealer } from '../../store/seal/ecdh-wrap.js';
import { createSimulationSealer } from '../../store/seal/simulation-sealer.js';
import { createStoreProvider, type DatabaseProvider } from '../../store/store-provider.js';
import { awaitRegistration } from './await-registration.js';
import { casPackage } from './cas-package.js';
import { scheduleSnapshots } from './schedule-snapshots.js';

/** A running CAS: its runtime, its two listeners and its logger. */
export interface Started {
  readonly rt: CasRuntime;
  readonly servers: CasServers;
  readonly logger: Logger;
}

/**
 * The session engine: on the event loop, or with `[api] session_workers` > 0 in that many
 * worker threads (parsing and secret generation; the threads end with the process).
 */
function sessionEngine(workers: number, logger: Logger): SessionEngine {
  if (workers === 0) return defaultSessionEngine;
  logger.info({ session_workers: workers }, 'session files are parsed and secrets made in threads');
  return startSessionWorkers(workers, { log: logger }).engine;
}

/** Builds and starts a CAS from its config; `beforeListen` may self-provision. */
export async function startCas(
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
  const measurement = computeMeasurement(casPackage.root);
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
    version: casPackage.version,
    // Replicas on one PostgreSQL write one chain, sequenced through the database.
    sharedChain: config.database.kind !== 'sqlite',
  });
  let provider: DatabaseProvider | undefined;
  const snapshotDir = config.snapshots.dir;
  const rt = await CasRuntime.start({
    keys,
    measurement,
    version: casPackage.version,
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
    sessions: sessionEngine(config.sessionWorkers, logger),
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
