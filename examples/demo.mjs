#!/usr/bin/env node
// `npm run demo`: the whole story on one machine, against a fresh CAS in a temporary folder.
// Start a CAS and a LAS, provision the CAS, create a session with generated secrets and an
// X.509 CA, run an unmodified program under cas-run that receives its password, certificate
// and config file, then change the program by one byte and watch the CAS refuse it.
// Nothing here touches ~/.cas: the CLI state lives in the temporary folder.
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const hello = join(root, 'examples', 'hello');
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
// From a checkout, run the sources (tsx); from an installed package, the build.
const fromSource = existsSync(tsx) && existsSync(join(root, 'src', 'bin', 'cas.ts'));

function binArgs(name) {
  return fromSource
    ? ['--import', tsx, join(root, 'src', 'bin', `${name}.ts`)]
    : [join(root, 'dist', 'src', 'bin', `${name}.js`)];
}

const work = mkdtempSync(join(tmpdir(), 'cas-demo-'));
const env = { ...process.env, SCONE_CLI_CONFIG: join(work, 'cli.json') };
const children = [];

function say(text) {
  process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`);
}

function show(prefix, text) {
  for (const line of text.trimEnd().split('\n'))
    if (line !== '') process.stdout.write(`${prefix}${line}\n`);
}

/** Runs a binary to completion; resolves with its code and output. */
function run(name, args, extraEnv = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...binArgs(name), ...args], {
      cwd: work,
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** Starts a long-running binary and waits until its stdout has `ready`. */
function start(name, args, ready) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...binArgs(name), ...args], {
      cwd: work,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start:\n${stdout}${stderr}`)),
      60_000,
    );
    child.stderr.on('data', (c) => (stderr += c));
    child.stdout.on('data', (c) => {
      stdout += c;
      if (ready.test(stdout)) {
        clearTimeout(timer);
        resolvePromise(stdout);
      }
    });
    child.on('exit', (code) =>
      reject(new Error(`${name} exited with ${code}:\n${stdout}${stderr}`)),
    );
  });
}

function field(text, prefix) {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  if (line === undefined) throw new Error(`no "${prefix}" line in:\n${text}`);
  return line.trim().split(/\s+/).pop();
}

function must(result, what) {
  if (result.code !== 0) {
    show('   ', result.stdout);
    show('   ', result.stderr);
    throw new Error(`${what} failed with exit code ${result.code}`);
  }
  return result;
}

function freePort() {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

async function main() {
  say(`Working in ${work}`);
  const api = `127.0.0.1:${await freePort()}`;
  writeFileSync(
    join(work, 'cas.toml'),
    `[api]\napi_listen = "${api}"\nenclave_listen = "127.0.0.1:0"\n`,
  );
  writeFileSync(
    join(work, 'owner.toml'),
    '[api_identity]\ncommon_name = "cas"\nalt_names = ["localhost", "127.0.0.1"]\n',
  );

  say('Start a CAS (simulation mode) and a LAS (simulated platform)');
  const casOut = await start('cas', ['-c', 'cas.toml'], /CAS enclave API:.*\n/);
  const casKeyHash = field(casOut, 'CAS key hash:');
  const token = field(casOut, 'CAS provisioning token:');
  const enclave = field(casOut, 'CAS enclave API:');
  show(
    '   ',
    casOut
      .split('\n')
      .filter((l) => !l.startsWith('CAS provisioning token'))
      .join('\n'),
  );
  const lasOut = await start(
    'las',
    ['--listen', '127.0.0.1:0', '--state-dir', 'las-state'],
    /LAS listening on .*\n/,
  );
  const platformId = field(lasOut, 'LAS platform id:');
  const lasAddr = field(lasOut, 'LAS listening on');
  show('   ', lasOut);

  say('Provision the CAS: you become its owner (the owner has no access to sessions)');
  const provision = must(
    await run('scone', [
      'cas',
      'provision',
      api,
      '-c',
      casKeyHash,
      '--token',
      token,
      '--config-file',
      'owner.toml',
      'with-attestation',
      '--only_for_testing-debug',
    ]),
    'scone cas provision',
  );
  show('   ', provision.stdout);

  say('Measure the unmodified program: cas-run --hash');
  const program = join(work, 'hello');
  copyFileSync(join(hello, 'hello.sh'), program);
  const mrenclave = must(await run('cas-run', ['--hash', program]), 'cas-run --hash').stdout.trim();
  show('   ', `mrenclave of ${program}: ${mrenclave}`);

  say(
    'Create the session (generated password, CA, server certificate) and one that imports the password',
  );
  const runDir = join(work, 'run');
  const vars = [
    '-e',
    'SESSION=hello-demo',
    '-e',
    'IMPORTER=hello-demo-importer',
    '-e',
    `MRENCLAVE=${mrenclave}`,
    '-e',
    `PLATFORM_ID=${platformId}`,
    '-e',
    `CONFIG_DIR=${runDir}`,
  ];
  for (const file of ['session.yaml', 'importer.yaml']) {
    const created = must(
      await run('scone', ['session', 'create', join(hello, file), ...vars]),
      `session create ${file}`,
    );
    show('   ', `${file}: session hash ${created.stdout.trim().split('\n').pop()}`);
  }

  const launch = {
    SCONE_CAS_ADDR: enclave,
    SCONE_LAS_ADDR: lasAddr,
    SCONE_MODE: 'sim',
    SCONE_CAS_KEY_HASH: casKeyHash,
  };
  for (const [n, configId] of [
    [1, 'hello-demo/hello'],
    [2, 'hello-demo/hello'],
    [3, 'hello-demo-importer/hello'],
  ]) {
    say(`Run ${n}: SCONE_CONFIG_ID=${configId} cas-run ${program}`);
    const r = must(
      await run('cas-run', [program], { ...launch, SCONE_CONFIG_ID: configId }),
      'cas-run',
    );
    show('   ', r.stderr);
    show('   ', r.stdout);
  }
  process.stdout.write(
    '\n   The DB_PASSWORD hash is the same in every run and in the importing session; the\n' +
      `   injection files are gone after each run: ${existsSync(runDir) ? 'NOT removed!' : `${runDir} does not exist`}.\n`,
  );

  say('Change the program by one byte: the CAS refuses it, and it does not start');
  appendFileSync(program, '#');
  const refused = await run('cas-run', [program], {
    ...launch,
    SCONE_CONFIG_ID: 'hello-demo/hello',
  });
  show('   ', refused.stderr);
  show(
    '   ',
    `cas-run exit code: ${refused.code} (${refused.stdout.includes('hello:') ? 'the program ran!' : 'the program did not run'})`,
  );
  if (refused.code === 0) throw new Error('the modified program was not refused');

  say('scone session read shows the policy, never a secret value');
  const read = must(await run('scone', ['session', 'read', 'hello-demo']), 'session read');
  show(
    '   ',
    read.stdout
      .split('\n')
      .filter((l) => /secrets:|name: |kind: /.test(l))
      .slice(0, 12)
      .join('\n'),
  );
  say('Done');
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  process.stderr.write(
    `\ndemo failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
