import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** A replica's config file (relative to its folder) and the addresses it will listen on. */
export interface ReplicaConfig {
  readonly file: string;
  readonly api: string;
  readonly enclave: string;
}

/**
 * Writes `<name>.toml` in `dir` for one CAS replica as docs/replicas.md describes it: the shared
 * PostgreSQL `dbUrl`, its own free loopback API and enclave ports, `stateDir` and its own audit
 * log (`<name>-audit.log`).
 */
export async function writeReplicaConfig(
  dir: string,
  name: string,
  dbUrl: string,
  stateDir = `state-${name}`,
): Promise<ReplicaConfig> {
  const api = `127.0.0.1:${await freePort()}`;
  const enclave = `127.0.0.1:${await freePort()}`;
  writeFileSync(
    join(dir, `${name}.toml`),
    `[database]\nurl = "${dbUrl}"\n[api]\napi_listen = "${api}"\nenclave_listen = "${enclave}"\n` +
      `[platform]\nstate_dir = "${stateDir}"\n[audit_log]\npath = "${name}-audit.log"\n`,
  );
  return { file: `${name}.toml`, api, enclave };
}
