import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keySealerFrom } from '../../src/core/key-sealer.js';
import { loadOrCreateCasKeys, type CasKeys } from '../../src/crypto/cas-keys.js';
import { createSimulationSealer } from '../../src/store/seal/simulation-sealer.js';

/** Where {@link simulationCasKeys} keeps the sealed keys; new temporary folders unless given. */
export interface SimulationKeyDirs {
  readonly stateDir?: string;
  readonly databaseDir?: string;
}

/**
 * The instance keys of a CAS measured as `measurement`, created (or loaded) in `stateDir` and
 * sealed by the simulation sealer, as a CAS in simulation mode keeps them.
 */
export function simulationCasKeys(
  measurement: string,
  dirs: SimulationKeyDirs = {},
): Promise<CasKeys> {
  const stateDir = dirs.stateDir ?? mkdtempSync(join(tmpdir(), 'cas-state-'));
  const databaseDir = dirs.databaseDir ?? mkdtempSync(join(tmpdir(), 'cas-db-'));
  return loadOrCreateCasKeys({
    stateDir,
    sealer: keySealerFrom(createSimulationSealer({ stateDir, databaseDir })),
    measurement,
  });
}
