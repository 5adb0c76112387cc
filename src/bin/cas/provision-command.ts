import { readFileSync } from 'node:fs';
import { loadAvailabilityConfig } from '../../config/availability-config.js';
import { selfProvision } from '../../core/provisioning/provision-cas.js';
import { out } from './out.js';
import { printStarted } from './print-started.js';
import { readDatabaseKey } from './read-database-key.js';
import { startCas } from './start-cas.js';
import { stopOnSignal } from './stop-on-signal.js';

/** `cas [-c FILE] provision`: self-provisions with the given owner, then serves. */
export async function provisionCommand(
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
