import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runBin, type RunResult } from '../helpers/bin.js';
import { stopDaemon as stopCas } from '../helpers/daemon.js';
import { noneSession } from '../helpers/session-text.js';
import {
  field as lastField,
  provisionCas,
  startCas,
  writeCasSetup,
  type CasSetup,
} from '../helpers/provisioned-cas.js';

function lastLine(r: RunResult): string {
  return r.stdout.trimEnd().split('\n').pop() ?? '';
}

// The template variable stays for `scone session create -e NAME=...`.
const SESSION = noneSession('$NAME');

describe('cas as a new user runs it', () => {
  let setup: CasSetup;
  let dir: string;
  let cas: ChildProcess;
  let addr: string;
  const alice = (): NodeJS.ProcessEnv => ({ SCONE_CLI_CONFIG: join(dir, 'alice.json') });
  const bob = (): NodeJS.ProcessEnv => ({ SCONE_CLI_CONFIG: join(dir, 'bob.json') });
  let sessionFile: string;
  let hash = '';

  before(async () => {
    setup = await writeCasSetup('cas-e2e-');
    ({ dir, api: addr } = setup);
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
    const token = lastField(started.stdout(), 'CAS provisioning token:');
    assert.match(token, /^[0-9a-f]{32}$/);

    const refused = await runBin('scone', ['cas', 'attest', addr], { env: alice() });
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /--only_for_testing-debug/);
    assert.ok(refused.stderr.includes('CAS_SERVER_ATTESTATION_REFUSED'), refused.stderr);

    const wrongKey = await provisionCas(setup, started, alice(), { keyHash: 'x' });
    assert.equal(wrongKey.code, 3, wrongKey.stderr);
    assert.match(wrongKey.stderr, /-c/);

    const p = await provisionCas(setup, started, alice());
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
      !started
        .stdout()
        .split('\n')
        .some((l) => l.startsWith('CAS provisioning token:')),
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
