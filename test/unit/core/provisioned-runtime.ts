import { randomBytes } from 'node:crypto';
import { CasRuntime } from '../../../src/core/cas-runtime.js';
import type { StoreProvider } from '../../../src/core/ports.js';
import { selfProvision } from '../../../src/core/provisioning/provision-cas.js';
import { defaultSessionEngine } from '../../../src/core/sessions/default-session-engine.js';
import { createMemoryStoreProvider } from '../../../src/core/store-provider.js';
import { generateIdentity } from '../../../src/crypto/identity.js';
import { simulationCasKeys } from '../../helpers/simulation-cas-keys.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** How {@link startRuntime} starts its CAS runtime. */
export interface RuntimeOptions {
  /** `clock.now` is the runtime's time (moved by tests); the real time otherwise. */
  readonly clock?: { now: Date };
  /** Its store; a fresh memory store unless given. */
  readonly storeProvider?: StoreProvider;
  /** A replica that waits for its registration instead of failing on an unregistered store. */
  readonly awaitRegistration?: boolean;
}

/**
 * A CAS runtime in simulation mode with its own fresh state folder (instance keys sealed by the
 * simulation sealer), silent logs and real randomness; not provisioned.
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<CasRuntime> {
  const keys = await simulationCasKeys('aa'.repeat(32));
  const { clock } = options;
  return CasRuntime.start({
    keys,
    measurement: 'aa'.repeat(32),
    version: 't',
    platformMode: 'sim',
    logger: silent,
    env: { now: () => clock?.now ?? new Date(), randomBytes: (n) => randomBytes(n) },
    storeProvider: options.storeProvider ?? createMemoryStoreProvider(),
    sessions: defaultSessionEngine,
    ...(options.awaitRegistration === undefined
      ? {}
      : { awaitRegistration: options.awaitRegistration }),
  });
}

/** A provisioned CAS runtime on a memory store; `clock.now` is its time (moved by tests). */
export async function provisionedRuntime(
  clock?: { now: Date },
  ownerConfig = '',
): Promise<CasRuntime> {
  const rt = await startRuntime(clock === undefined ? {} : { clock });
  const owner = await generateIdentity();
  await selfProvision(rt, {
    ownerCertPem: owner.certPem,
    ownerConfig,
    ownerConfigFile: 'owner.toml',
    skipIfAlreadyProvisioned: false,
  });
  return rt;
}
