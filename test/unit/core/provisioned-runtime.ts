import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CasRuntime } from '../../../src/core/cas-runtime.js';
import { keySealerFrom } from '../../../src/core/key-sealer.js';
import { selfProvision } from '../../../src/core/provisioning/provision-cas.js';
import { defaultSessionEngine } from '../../../src/core/sessions/default-session-engine.js';
import { createMemoryStoreProvider } from '../../../src/core/store-provider.js';
import { loadOrCreateCasKeys } from '../../../src/crypto/cas-keys.js';
import { generateIdentity } from '../../../src/crypto/identity.js';
import { createSimulationSealer } from '../../../src/store/seal/simulation-sealer.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A provisioned CAS runtime on a memory store; `clock.now` is its time (moved by tests). */
export async function provisionedRuntime(
  clock?: { now: Date },
  ownerConfig = '',
): Promise<CasRuntime> {
  const stateDir = mkdtempSync(join(tmpdir(), 'cas-state-'));
  const sealer = createSimulationSealer({
    stateDir,
    databaseDir: mkdtempSync(join(tmpdir(), 'cas-db-')),
  });
  const keys = await loadOrCreateCasKeys({
    stateDir,
    sealer: keySealerFrom(sealer),
    measurement: 'aa'.repeat(32),
  });
  const rt = await CasRuntime.start({
    keys,
    measurement: 'aa'.repeat(32),
    version: 't',
    platformMode: 'sim',
    logger: silent,
    env: { now: () => clock?.now ?? new Date(), randomBytes: (n) => randomBytes(n) },
    storeProvider: createMemoryStoreProvider(),
    sessions: defaultSessionEngine,
  });
  const owner = await generateIdentity();
  await selfProvision(rt, {
    ownerCertPem: owner.certPem,
    ownerConfig,
    ownerConfigFile: 'owner.toml',
    skipIfAlreadyProvisioned: false,
  });
  return rt;
}
