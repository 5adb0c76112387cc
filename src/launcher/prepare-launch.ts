import { statSync } from 'node:fs';
import { generateIdentity } from '../crypto/identity.js';
import { workloadBinding } from '../crypto/workload-binding.js';
import { CasError } from '../errors/cas-error.js';
import { openEnclaveConnection, type WorkloadConfig } from './enclave-client.js';
import type { InjectionFile } from './injection-files.js';
import { readLauncherEnv, type LauncherEnv } from './launcher-env.js';
import { requestSimEvidence } from './las-client.js';
import { measureProgram, resolveProgram } from './measure-program.js';
import type { ChildSpec } from './run-child.js';

/** Where the launcher reads its settings and writes its messages. */
export interface LauncherIo {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  out(line: string): void;
  err(line: string): void;
}

/** What `cas-run` does after the preparation. */
export type Launch =
  | { readonly kind: 'done' }
  | { readonly kind: 'run'; readonly child: ChildSpec; readonly files: readonly InjectionFile[] };

/** Usage text of `cas-run`. */
export const USAGE = [
  'usage: cas-run [--] PROGRAM [ARGS...]   attest, receive the configuration, run PROGRAM',
  "       cas-run --hash PROGRAM           print PROGRAM's measurement (64 hex)",
  'environment: SCONE_CONFIG_ID=<session>/<service>, SCONE_CAS_ADDR=host[:18765],',
  '             SCONE_LAS_ADDR=127.0.0.1:18766, SCONE_MODE=sim|hw|auto,',
  '             SCONE_CAS_KEY_HASH / SCONE_CAS_SOFTWARE_KEY_HASH (pin the CAS)',
].join('\n');

function usage(message: string): CasError {
  return new CasError('CAS_LAUNCHER_USAGE', `${message}\n${USAGE}`);
}

/**
 * Prepares one run of `cas-run`: parses its arguments, and either prints a measurement or
 * attests the program and turns the CAS's configuration into the child to start and the
 * files to write. Nothing is started and nothing is written here.
 */
export async function prepareLaunch(argv: readonly string[], io: LauncherIo): Promise<Launch> {
  const first = argv[0];
  if (first === '--help' || first === '-h') {
    io.out(USAGE);
    return { kind: 'done' };
  }
  const path = io.env['PATH'] ?? '/usr/bin:/bin';
  if (first === '--hash') {
    if (argv.length !== 2) throw usage('--hash takes exactly one PROGRAM');
    io.out(await measureProgram(await resolveProgram(argv[1]!, path, io.cwd)));
    return { kind: 'done' };
  }
  const rest = first === '--' ? argv.slice(1) : [...argv];
  const name = rest[0];
  if (name === undefined) throw usage('PROGRAM is missing');
  if (first !== '--' && name.startsWith('-')) throw usage(`unknown option ${name}`);
  const hostArgs = rest.slice(1);
  const settings = readLauncherEnv(io.env);
  const program = await resolveProgram(name, path, io.cwd);
  if (settings.configId === undefined) {
    io.err(
      `Warning: SCONE_CONFIG_ID is not set: running ${name} unchanged, without attestation and without configuration from a CAS.`,
    );
    const env = Object.fromEntries(
      Object.entries(io.env).filter((e): e is [string, string] => e[1] !== undefined),
    );
    return { kind: 'run', child: { program, args: hostArgs, env, cwd: io.cwd }, files: [] };
  }
  const config = await attest(settings, settings.configId, program, io);
  return { kind: 'run', ...childOf(config, program, hostArgs, io), files: config.files };
}

async function attest(
  settings: LauncherEnv,
  configId: string,
  program: string,
  io: LauncherIo,
): Promise<WorkloadConfig> {
  if (settings.mode === 'hw') {
    throw new CasError(
      'CAS_LAUNCHER_MODE_UNSUPPORTED',
      'SCONE_MODE=hw: this launcher cannot produce hardware evidence yet; use SCONE_MODE=sim with a LAS',
    );
  }
  if (settings.mode === 'auto') {
    io.err(
      'Warning: SCONE_MODE=auto: no TEE evidence source in this launcher, using the simulated platform (LAS).',
    );
  }
  if (settings.pins.casKeyHash === undefined && settings.pins.softwareKeyHash === undefined) {
    io.err(
      'WARNING: neither SCONE_CAS_KEY_HASH nor SCONE_CAS_SOFTWARE_KEY_HASH is set: cas-run cannot tell the real CAS from an impostor, which could hand this program a configuration of its own choosing.',
    );
  }
  const identity = await generateIdentity();
  const spki = identity.certificate.publicKey.export({ type: 'spki', format: 'der' });
  const connection = await openEnclaveConnection(
    settings.cas,
    { keyPem: identity.keyPem(), certPem: identity.certPem },
    settings.pins,
  );
  try {
    const nonce = await connection.challenge();
    const evidence = await requestSimEvidence(settings.las, program, workloadBinding(nonce, spki));
    const config = await connection.attest({
      config_id: configId,
      nonce: nonce.toString('hex'),
      evidence: { type: evidence.type, data: evidence.data },
    });
    io.err(
      `cas-run: attested ${program} (${evidence.type} measurement ${evidence.measurement}) for ${config.session}/${config.service}`,
    );
    for (const warning of config.warnings) io.err(`Warning (CAS): ${warning}`);
    return config;
  } finally {
    await connection.close();
  }
}

/**
 * The child from the configuration: argv, environment and working directory are the
 * session's; the host's are discarded. Two explicit escapes take values from the host, as in
 * SCONE: an argument that is exactly `@@N` becomes the N-th host argument given to cas-run
 * (empty when absent), and an environment value that is exactly `@@NAME` becomes the host's
 * variable NAME (left out when the host has none).
 */
function childOf(
  config: WorkloadConfig,
  program: string,
  hostArgs: readonly string[],
  io: LauncherIo,
): { child: ChildSpec } {
  const expand = (arg: string): string => {
    const m = /^@@([1-9][0-9]*)$/.exec(arg);
    return m === null ? arg : (hostArgs[Number(m[1]) - 1] ?? '');
  };
  const argv = config.argv.map(expand);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(config.env)) {
    const m = /^@@([A-Za-z_][A-Za-z0-9_]*)$/.exec(value);
    const resolved = m === null ? value : io.env[m[1]!];
    if (resolved !== undefined)
      Object.defineProperty(env, key, { value: resolved, enumerable: true });
  }
  const cwd = config.pwd ?? io.cwd;
  let isDir: boolean;
  try {
    isDir = statSync(cwd).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new CasError(
      'CAS_LAUNCHER_PWD_MISSING',
      `the service's pwd ${cwd} is not a directory on this host`,
      { details: { pwd: cwd } },
    );
  }
  return {
    child: {
      program,
      args: argv.slice(1),
      ...(argv[0] === undefined ? {} : { argv0: argv[0] }),
      env,
      cwd,
    },
  };
}
