import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runBin } from '../helpers/bin.js';
import { lastField, stopDaemon as stop } from '../helpers/daemon.js';
import { noneSession, simulationSession } from '../helpers/session-text.js';
import {
  launchEnv,
  provisionCas,
  startCas,
  startLas,
  writeCasSetup,
  type CasSetup,
} from '../helpers/provisioned-cas.js';

const SESSION = noneSession('shop');
const ATTESTED = simulationSession('att', {
  command: 'true',
  mrenclave: '$MRENCLAVE',
  password: false,
});

describe('signed audit log through the real binaries', () => {
  let setup: CasSetup;
  let dir: string;
  let cas: ChildProcess | undefined;
  let logPath: string;
  let keyHash: string;
  const alice = (): NodeJS.ProcessEnv => ({ SCONE_CLI_CONFIG: join(dir, 'alice.json') });
  const bob = (): NodeJS.ProcessEnv => ({ SCONE_CLI_CONFIG: join(dir, 'bob.json') });
  const verify = (args: readonly string[] = [], env = alice()) =>
    runBin('scone', ['cas', 'verify-audit-log', join(dir, 'copy.log'), ...args], { env });
  const withLines = (f: (ls: string[]) => string[]): void => {
    const ls = readFileSync(logPath, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    writeFileSync(
      join(dir, 'copy.log'),
      f(ls)
        .map((l) => `${l}\n`)
        .join(''),
    );
  };

  before(async () => {
    setup = await writeCasSetup('cas-audit-e2e-', {
      casExtra: '[audit_log]\npath = "cas-audit.log"\n',
      ownerExtra: '[audit_log]\nmode = "signed"\n',
    });
    dir = setup.dir;
    logPath = join(dir, 'cas-audit.log');
    writeFileSync(join(dir, 'session.yaml'), SESSION);
  });
  after(async () => {
    if (cas !== undefined) await stop(cas);
    rmSync(dir, { recursive: true, force: true });
  });

  test('provision, session operations, a workload attestation and a refusal, a denied read: verify-audit-log exits 0', async () => {
    const started = await startCas(dir);
    cas = started.child;
    keyHash = lastField(started.stdout(), 'CAS key hash:');
    const p = await provisionCas(setup, started, alice());
    assert.equal(p.code, 0, p.stderr);
    for (const args of [
      ['session', 'create', join(dir, 'session.yaml')],
      ['session', 'update', join(dir, 'session.yaml')],
      ['session', 'read', 'shop'],
    ]) {
      const r = await runBin('scone', args, { env: alice() });
      assert.equal(r.code, 0, r.stderr);
    }
    // A workload attestation through cas-run and a LAS, then one with the wrong program.
    const las = await startLas(dir);
    try {
      const mrenclave = (await runBin('cas-run', ['--hash', 'true'])).stdout.trim();
      writeFileSync(join(dir, 'att.yaml'), ATTESTED.replace('$MRENCLAVE', mrenclave));
      const att = await runBin('scone', ['session', 'create', join(dir, 'att.yaml')], {
        env: alice(),
      });
      assert.equal(att.code, 0, att.stderr);
      const launch = { ...launchEnv(started, las), SCONE_CONFIG_ID: 'att/show' };
      const attested = await runBin('cas-run', ['true'], { env: launch });
      assert.equal(attested.code, 0, attested.stderr);
      const refusedRun = await runBin('cas-run', ['false'], { env: launch });
      assert.notEqual(refusedRun.code, 0);
    } finally {
      await stop(las.child);
    }
    await runBin('scone', ['cas', 'attest', setup.api, '--only_for_testing-debug'], {
      env: bob(),
    });
    const denied = await runBin('scone', ['session', 'read', 'shop'], { env: bob() });
    assert.equal(denied.code, 2);

    const text = readFileSync(logPath, 'utf8');
    const events = text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { event: string }).event);
    assert.deepEqual(events, [
      'cas_started',
      'cas_provisioned',
      'session_created',
      'session_read', // session update reads the active version to fill in the predecessor
      'session_updated',
      'session_read',
      'session_created',
      'service_attested',
      'attestation_refused',
      'access_denied',
    ]);
    assert.ok(!text.includes('127.0.0.1'), 'client addresses are HMACed');
    withLines((ls) => ls);
    const ok = await verify();
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /intact and matches the CAS checkpoint/);
  });

  const cases: Array<[string, (ls: string[]) => string[], number, string]> = [
    [
      'one line edited',
      (ls) => ls.map((l, i) => (i === 2 ? l.replace('"shop"', '"shoq"') : l)),
      20,
      'CAS_AUDIT_LOG_BROKEN',
    ],
    [
      'two lines reordered',
      (ls) => [ls[0]!, ls[1]!, ls[3]!, ls[2]!, ...ls.slice(4)],
      20,
      'CAS_AUDIT_LOG_BROKEN',
    ],
    [
      'one line removed in the middle',
      (ls) => ls.filter((_, i) => i !== 3),
      17,
      'CAS_AUDIT_ENTRIES_DELETED',
    ],
    ['the last line removed', (ls) => ls.slice(0, -1), 14, 'CAS_AUDIT_MISSING_AT_END'],
    ['the first line removed', (ls) => ls.slice(1), 15, 'CAS_AUDIT_MISSING_AT_START'],
  ];
  for (const [what, tamper, exit, code] of cases) {
    test(`${what}: exit ${exit} (${code})`, async () => {
      withLines(tamper);
      const r = await verify();
      assert.equal(r.code, exit, r.stdout + r.stderr);
      assert.ok(r.stderr.includes(code), r.stderr);
    });
  }

  test('without a reachable CAS, an intact log exits 16; without any CAS key it is refused', async () => {
    withLines((ls) => ls);
    const unreachable = await verify(['-c', keyHash], bob()); // bob is not the owner
    assert.equal(unreachable.code, 16, unreachable.stdout + unreachable.stderr);
    const nobody = await verify([], { SCONE_CLI_CONFIG: join(dir, 'nobody.json') });
    assert.equal(nobody.code, 1);
    assert.ok(nobody.stderr.includes('CAS_AUDIT_NO_CAS_KEY'), nobody.stderr);
  });

  test('a log checked against another CAS key exits 19', async () => {
    withLines((ls) => ls);
    const other = await runBin('scone', ['self', 'show-key-hash'], { env: bob() });
    const r = await verify(['-c', other.stdout.trim()], bob());
    assert.equal(r.code, 19, r.stdout + r.stderr);
  });

  test('after a restart the chain continues and still verifies', async () => {
    await stop(cas!);
    const started = await startCas(dir);
    cas = started.child;
    const r = await runBin('scone', ['session', 'read', 'shop'], { env: alice() });
    assert.equal(r.code, 0, r.stderr);
    withLines((ls) => ls);
    const ok = await verify();
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const tail = readFileSync(logPath, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-2)
      .map((l) => (JSON.parse(l) as { event: string }).event);
    assert.deepEqual(tail, ['cas_started', 'session_read']);
  });
});
