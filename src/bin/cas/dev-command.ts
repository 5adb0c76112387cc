import { homedir } from 'node:os';
import { resolve } from 'node:path';
import {
  loadState,
  saveState,
  stateFilePath,
  stateIdentity,
  withPinnedCas,
} from '../../cli/state.js';
import {
  availabilityConfigFrom,
  loadAvailabilityConfig,
} from '../../config/availability-config.js';
import { formatAddress } from '../../config/listen-address.js';
import { selfProvision } from '../../core/provisioning/provision-cas.js';
import { runLas } from '../../las/run-las.js';
import { out } from './out.js';
import { printStarted } from './print-started.js';
import { startCas } from './start-cas.js';
import { stopOnSignal } from './stop-on-signal.js';

/**
 * `cas [-c FILE] dev [--las-listen ADDR]`: a development CAS (by default in ./.cas-dev on
 * 127.0.0.1:8081 and :18765), owned and attested by the current CLI identity, with a LAS.
 */
export async function devCommand(configFile: string | undefined, lasListen: string): Promise<void> {
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
