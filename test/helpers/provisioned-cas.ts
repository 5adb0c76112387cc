import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity } from '../../src/crypto/identity.js';
import { workloadBinding } from '../../src/crypto/workload-binding.js';
import { openEnclaveConnection, type WorkloadConfig } from '../../src/launcher/enclave-client.js';
import { parseHostPort } from '../../src/launcher/host-port.js';
import { requestSimEvidence } from '../../src/launcher/las-client.js';
import { runBin, type RunResult } from './bin.js';
import { startDaemon, stopDaemon, type Daemon } from './daemon.js';
import { freePort } from './free-port.js';

const HELLO = join(process.cwd(), 'examples', 'hello');

/** The last field of the line of `text` that starts with `prefix` (asserted present). */
export function field(text: string, prefix: string): string {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  assert.ok(line, `no "${prefix}" line in:\n${text}`);
  return line.trim().split(/\s+/).pop()!;
}

/** Asserts a binary exited with 0. */
export function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what}: ${r.stdout}\n${r.stderr}`);
  return r;
}

/** A CAS's temporary folder with its config (`cas.toml`) and owner config (`owner.toml`). */
export interface CasSetup {
  readonly dir: string;
  /** The CAS's API address (`127.0.0.1:<free port>`). */
  readonly api: string;
}

/** What {@link writeCasSetup} appends to the two config files. */
export interface CasSetupOptions {
  /** Lines appended to cas.toml after its `[api]` lines (no table header: more `[api]` keys). */
  readonly casExtra?: string;
  /** Lines appended to owner.toml after its `[api_identity]` table. */
  readonly ownerExtra?: string;
}

/**
 * Makes a temporary folder (name starting with `prefix`) with a cas.toml that listens on a free
 * loopback port and an owner.toml for `scone cas provision --config-file`, as a new user writes them.
 */
export async function writeCasSetup(
  prefix: string,
  options: CasSetupOptions = {},
): Promise<CasSetup> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const api = `127.0.0.1:${await freePort()}`;
  writeFileSync(
    join(dir, 'cas.toml'),
    `[api]\napi_listen = "${api}"\nenclave_listen = "127.0.0.1:0"\n${options.casExtra ?? ''}`,
  );
  writeOwnerConfig(dir, options.ownerExtra);
  return { dir, api };
}

/**
 * Writes `owner.toml` in `dir` for `scone cas provision --config-file`: the CAS's TLS identity
 * for loopback, then `extra` lines.
 */
export function writeOwnerConfig(dir: string, extra = ''): void {
  writeFileSync(
    join(dir, 'owner.toml'),
    `[api_identity]\ncommon_name = "cas"\nalt_names = ["localhost", "127.0.0.1"]\n${extra}`,
  );
}

/** Starts `cas` in `dir` (by default it reads ./cas.toml) and waits for its enclave API line. */
export function startCas(dir: string, args: readonly string[] = []): Promise<Daemon> {
  return startDaemon('cas', args, dir, /CAS enclave API:.*\n/);
}

/** Starts a LAS in `dir` (state in ./las) and waits for its listening line. */
export function startLas(dir: string): Promise<Daemon> {
  return startDaemon(
    'las',
    ['--listen', '127.0.0.1:0', '--state-dir', 'las'],
    dir,
    /LAS listening on .*\n/,
  );
}

/**
 * Runs `scone cas provision` with attestation (debug) for the freshly started `cas` at `setup.api`,
 * with its printed token and `keyHash` (its printed key hash unless given), as the CLI user `env`.
 */
export function provisionCas(
  setup: CasSetup,
  cas: Daemon,
  env: NodeJS.ProcessEnv,
  options: { readonly keyHash?: string; readonly timeoutMs?: number } = {},
): Promise<RunResult> {
  return runBin(
    'scone',
    [
      'cas',
      'provision',
      setup.api,
      '-c',
      options.keyHash ?? field(cas.stdout(), 'CAS key hash:'),
      '--token',
      field(cas.stdout(), 'CAS provisioning token:'),
      '--config-file',
      join(setup.dir, 'owner.toml'),
      'with-attestation',
      '--only_for_testing-debug',
    ],
    { env, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) },
  );
}

/** cas-run's environment for `cas` and `las`: their addresses, sim mode, the pinned CAS key hash. */
export function launchEnv(cas: Daemon, las: Daemon): NodeJS.ProcessEnv {
  return {
    SCONE_CAS_ADDR: field(cas.stdout(), 'CAS enclave API:'),
    SCONE_LAS_ADDR: field(las.stdout(), 'LAS listening on'),
    SCONE_MODE: 'sim',
    SCONE_CAS_KEY_HASH: field(cas.stdout(), 'CAS key hash:'),
  };
}

/** A provisioned CAS and a LAS with the hello example's sessions, as a new user sets them up. */
export interface ProvisionedCas {
  readonly dir: string;
  readonly cas: Daemon;
  readonly las: Daemon;
  /** A copy of examples/hello/hello.sh, measured into the sessions. */
  readonly program: string;
  readonly mrenclave: string;
  /** Where the hello session puts its injection files. */
  readonly runDir: string;
  /** cas-run's environment (CAS and LAS addresses, sim mode, pinned CAS key hash). */
  readonly launch: NodeJS.ProcessEnv;
  /** The CLI's environment (its own state file). */
  readonly cli: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/**
 * Starts a CAS (`[api]` lines of `extraApi` added to its config) and a LAS in a temporary folder,
 * provisions the CAS with the CLI, and creates the hello example's two sessions (`hello-demo`,
 * `hello-demo-importer`) for a copy of hello.sh.
 */
export async function startProvisionedCas(extraApi = ''): Promise<ProvisionedCas> {
  const setup = await writeCasSetup('cas-prov-', { casExtra: extraApi });
  const { dir } = setup;
  const cli = { SCONE_CLI_CONFIG: join(dir, 'cli.json') };
  const cas = await startCas(dir, ['-c', 'cas.toml']);
  const las = await startLas(dir);
  const close = async (): Promise<void> => {
    await stopDaemon(cas.child);
    await stopDaemon(las.child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    ok(await provisionCas(setup, cas, cli), 'provision');
    const program = join(dir, 'hello');
    copyFileSync(join(HELLO, 'hello.sh'), program);
    const mrenclave = ok(await runBin('cas-run', ['--hash', program]), 'hash').stdout.trim();
    assert.match(mrenclave, /^[0-9a-f]{64}$/);
    const runDir = join(dir, 'run');
    const vars = [
      '-e',
      'SESSION=hello-demo',
      '-e',
      'IMPORTER=hello-demo-importer',
      '-e',
      `MRENCLAVE=${mrenclave}`,
      '-e',
      `PLATFORM_ID=${field(las.stdout(), 'LAS platform id:')}`,
      '-e',
      `CONFIG_DIR=${runDir}`,
    ];
    for (const file of ['session.yaml', 'importer.yaml']) {
      ok(
        await runBin('scone', ['session', 'create', join(HELLO, file), ...vars], { env: cli }),
        file,
      );
    }
    const launch = launchEnv(cas, las);
    return { dir, cas, las, program, mrenclave, runDir, launch, cli, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The replay attack of the enclave protocol: evidence bound to connection A's nonce and key is
 * presented on connection B (its own nonce); then A presents it. Returns B's refusal and A's
 * configuration.
 */
export async function replayEvidence(
  p: Pick<ProvisionedCas, 'launch' | 'program'>,
  configId: string,
): Promise<{ readonly refusal: unknown; readonly config: WorkloadConfig }> {
  const casAddr = parseHostPort(p.launch['SCONE_CAS_ADDR']!, 18765)!;
  const lasAddr = parseHostPort(p.launch['SCONE_LAS_ADDR']!, 18766)!;
  const a = await generateIdentity();
  const b = await generateIdentity();
  const first = await openEnclaveConnection(
    casAddr,
    { keyPem: a.keyPem(), certPem: a.certPem },
    {},
  );
  const second = await openEnclaveConnection(
    casAddr,
    { keyPem: b.keyPem(), certPem: b.certPem },
    {},
  );
  try {
    const nonce = await first.challenge();
    const spki = a.certificate.publicKey.export({ type: 'spki', format: 'der' });
    const evidence = await requestSimEvidence(lasAddr, p.program, workloadBinding(nonce, spki));
    const own = await second.challenge();
    const refusal = await second
      .attest({
        config_id: configId,
        nonce: own.toString('hex'),
        evidence: { type: 'sim', data: evidence.data },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const config = await first.attest({
      config_id: configId,
      nonce: nonce.toString('hex'),
      evidence: { type: 'sim', data: evidence.data },
    });
    return { refusal, config };
  } finally {
    await first.close();
    await second.close();
  }
}

/** The measurement of `env`, the workload of `simulationSession` (its `$ENV`). */
export async function envMeasurement(): Promise<string> {
  return ok(await runBin('cas-run', ['--hash', 'env']), 'hash env').stdout.trim();
}

/**
 * Writes `text` to `show.yaml` in the CAS's folder and runs `scone session create|update` on it
 * as the CAS's CLI user, with `-e ENV=<envHash>`.
 */
export async function putShowSession(
  p: Pick<ProvisionedCas, 'dir' | 'cli'>,
  verb: 'create' | 'update',
  text: string,
  envHash: string,
): Promise<void> {
  const file = join(p.dir, 'show.yaml');
  writeFileSync(file, text);
  ok(await runBin('scone', ['session', verb, file, '-e', `ENV=${envHash}`], { env: p.cli }), verb);
}

/** What `env` prints when `cas-run` provisions it as `configId`, as a map of its variables. */
export async function runEnv(
  p: Pick<ProvisionedCas, 'launch'>,
  configId: string,
): Promise<Record<string, string>> {
  const r = ok(
    await runBin('cas-run', ['env'], { env: { ...p.launch, SCONE_CONFIG_ID: configId } }),
    'cas-run env',
  );
  return Object.fromEntries(
    r.stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}
