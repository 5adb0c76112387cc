import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { runBin, type RunResult } from '../helpers/bin.js';

const TSX = pathToFileURL(
  join(process.cwd(), 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs'),
).href;
const CAS = join(process.cwd(), 'src', 'bin', 'cas.ts');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts `cas` in `dir` as a new user would, and waits for its start-up lines. */
function startCas(dir: string): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = spawn(process.execPath, ['--import', TSX, CAS], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`cas did not start:\n${stdout}\n${stderr}`)),
      30_000,
    );
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      if (stdout.includes('CAS enclave API:')) {
        clearTimeout(timer);
        resolve({ child, lines: stdout.split('\n') });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cas exited with ${String(code)}:\n${stdout}\n${stderr}`));
    });
  });
}

function stopCas(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function lastField(lines: string[], prefix: string): string {
  const line = lines.find((l) => l.startsWith(prefix));
  assert.ok(line, `no line starting with ${prefix}`);
  return line.trim().split(/\s+/).pop()!;
}

function lastLine(r: RunResult): string {
  return r.stdout.trimEnd().split('\n').pop() ?? '';
}

const SESSION = `version: "0.3.10"
name: $NAME
security:
  attestation:
    mode: none
services:
  - name: app
    command: /bin/echo $$SCONE::pw$$
secrets:
  - name: pw
    kind: ascii
`;

describe('cas as a new user runs it', () => {
  let dir: string;
  let cas: ChildProcess;
  let addr: string;
  const alice = (): NodeJS.ProcessEnv => ({ SCONE_CLI_CONFIG: join(dir, 'alice.json') });
  const bob = (): NodeJS.ProcessEnv => ({ SCONE_CLI_CONFIG: join(dir, 'bob.json') });
  let sessionFile: string;
  let hash = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cas-e2e-'));
    const port = await freePort();
    addr = `127.0.0.1:${port}`;
    writeFileSync(
      join(dir, 'cas.toml'),
      `[api]\napi_listen = "${addr}"\nenclave_listen = "127.0.0.1:0"\n`,
    );
    writeFileSync(
      join(dir, 'owner.toml'),
      '[api_identity]\ncommon_name = "cas"\nalt_names = ["localhost", "127.0.0.1"]\n',
    );
    sessionFile = join(dir, 'session.yaml');
    writeFileSync(sessionFile, SESSION);
  });
  after(async () => {
    if (cas !== undefined) await stopCas(cas);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a config file with an unknown key stops the CAS before it listens, naming the key', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'cas-bad-'));
    writeFileSync(join(bad, 'cas.toml'), '[api]\napi_listn = "127.0.0.1:0"\n');
    const r = await runBin('cas', ['-c', join(bad, 'cas.toml')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /api\.api_listn/);
    assert.ok(r.stderr.includes('CAS_CONFIG_UNKNOWN_KEY'), r.stderr);
    rmSync(bad, { recursive: true, force: true });
  });

  test('start, provision with attestation, attest refusals', async () => {
    const started = await startCas(dir);
    cas = started.child;
    const keyHash = lastField(started.lines, 'CAS key hash:');
    const token = lastField(started.lines, 'CAS provisioning token:');
    assert.match(token, /^[0-9a-f]{32}$/);

    const refused = await runBin('scone', ['cas', 'attest', addr], { env: alice() });
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /--only_for_testing-debug/);
    assert.ok(refused.stderr.includes('CAS_SERVER_ATTESTATION_REFUSED'), refused.stderr);

    const wrongKey = await runBin(
      'scone',
      [
        'cas',
        'provision',
        addr,
        '-c',
        'x',
        '--token',
        token,
        '--config-file',
        join(dir, 'owner.toml'),
        'with-attestation',
        '--only_for_testing-debug',
      ],
      { env: alice() },
    );
    assert.equal(wrongKey.code, 3, wrongKey.stderr);
    assert.match(wrongKey.stderr, /-c/);

    const p = await runBin(
      'scone',
      [
        'cas',
        'provision',
        addr,
        '-c',
        keyHash,
        '--token',
        token,
        '--config-file',
        join(dir, 'owner.toml'),
        'with-attestation',
        '--only_for_testing-debug',
      ],
      { env: alice() },
    );
    assert.equal(p.code, 0, p.stderr);
    assert.equal(
      lastLine(p),
      'Done, CAS configuration was successfully provisioned. You are now owner of the CAS.',
    );

    const attest = await runBin('scone', ['cas', 'attest', addr, '--only_for_testing-debug'], {
      env: alice(),
    });
    assert.equal(attest.code, 0, attest.stderr);
    assert.match(attest.stdout, new RegExp(`CAS ${addr} at https://${addr}/ is trustworthy`));
    const list = await runBin('scone', ['cas', 'list'], { env: alice() });
    assert.match(list.stdout, new RegExp(`\\* ${addr}: https://${addr}/`));
  });

  test('create, update, verify and read a session; the hash is the last line', async () => {
    const create = await runBin('scone', ['session', 'create', sessionFile, '-e', 'NAME=shop'], {
      env: alice(),
    });
    assert.equal(create.code, 0, create.stderr);
    assert.match(lastLine(create), /^[0-9a-f]{64}$/);
    const verify1 = await runBin('scone', ['session', 'verify', sessionFile, '-e', 'NAME=shop'], {
      env: alice(),
    });
    assert.equal(verify1.code, 0, verify1.stderr);
    assert.equal(lastLine(verify1), lastLine(create));
    const update = await runBin('scone', ['session', 'update', sessionFile, '-e', 'NAME=shop'], {
      env: alice(),
    });
    assert.equal(update.code, 0, update.stderr);
    hash = lastLine(update);
    assert.notEqual(hash, lastLine(create));
    const verify2 = await runBin('scone', ['session', 'verify', sessionFile, '-e', 'NAME=shop'], {
      env: alice(),
    });
    assert.equal(verify2.code, 0, verify2.stderr);
    writeFileSync(join(dir, 'changed.yaml'), SESSION.replace('/bin/echo', '/bin/cat'));
    const mismatch = await runBin(
      'scone',
      ['session', 'verify', join(dir, 'changed.yaml'), '-e', 'NAME=shop'],
      { env: alice() },
    );
    assert.equal(mismatch.code, 3);
    assert.ok(mismatch.stderr.includes('CAS_SESSION_VERIFY_MISMATCH'), mismatch.stderr);
    const read = await runBin('scone', ['session', 'read', 'shop'], { env: alice() });
    assert.equal(read.code, 0, read.stderr);
    assert.match(read.stdout, new RegExp(hash));
    const absent = await runBin('scone', ['session', 'read', 'nope'], { env: alice() });
    assert.equal(absent.code, 2);
  });

  test('restart loses nothing; a second identity may neither read nor update', async () => {
    await stopCas(cas);
    const started = await startCas(dir);
    cas = started.child;
    assert.ok(
      !started.lines.some((l) => l.startsWith('CAS provisioning token:')),
      'no token once provisioned',
    );
    const read = await runBin('scone', ['session', 'read', 'shop', '--json'], { env: alice() });
    assert.equal(read.code, 0, read.stderr);
    assert.equal((JSON.parse(read.stdout) as { hash: string }).hash, hash);

    const attest = await runBin('scone', ['cas', 'attest', addr, '--only_for_testing-debug'], {
      env: bob(),
    });
    assert.equal(attest.code, 0, attest.stderr);
    const bobRead = await runBin('scone', ['session', 'read', 'shop'], { env: bob() });
    assert.equal(bobRead.code, 2);
    assert.ok(bobRead.stderr.includes('CAS_SESSION_NOT_FOUND'), bobRead.stderr);
    const bobUpdate = await runBin('scone', ['session', 'update', sessionFile, '-e', 'NAME=shop'], {
      env: bob(),
    });
    assert.notEqual(bobUpdate.code, 0);
  });

  test('nothing in the database files is plaintext', () => {
    for (const file of readdirSync(dir).filter(
      (f) => f.startsWith('cas.db') || f.endsWith('.key-store'),
    )) {
      const bytes = readFileSync(join(dir, file));
      assert.ok(!bytes.includes(Buffer.from('/bin/echo')), `${file} holds the session body`);
    }
  });
});
