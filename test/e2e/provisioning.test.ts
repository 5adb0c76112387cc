import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isCasError } from '../../src/errors/cas-error.js';
import { defaultTmpfsRoot } from '../../src/launcher/injection-files.js';
import { runBin, type RunResult } from '../helpers/bin.js';
import type { Daemon } from '../helpers/daemon.js';
import {
  ok,
  replayEvidence,
  startProvisionedCas,
  type ProvisionedCas,
} from '../helpers/provisioned-cas.js';
import { simulationSession } from '../helpers/session-text.js';

// The story of docs/cas-run.md as a new user lives it: start a CAS and a LAS, provision, create
// the example session with the mrenclave from `cas-run --hash`, run the unmodified program under
// cas-run, and see what is refused.

function passwordHash(r: RunResult): string {
  return /DB_PASSWORD sha256=([0-9a-f]{64})/.exec(r.stdout)?.[1] ?? 'none';
}

describe('provisioning a workload with cas-run, as a new user would', () => {
  let env: ProvisionedCas | undefined;
  let dir: string;
  let cas: Daemon;
  let program: string;
  let runDir: string;
  let launch: NodeJS.ProcessEnv;
  let cli: NodeJS.ProcessEnv;
  let mrenclave: string;

  before(async () => {
    env = await startProvisionedCas();
    ({ dir, cas, program, runDir, launch, cli, mrenclave } = env);
  });

  after(async () => {
    await env?.close();
  });

  const hashes: string[] = [];

  test('the program receives the session argv, env, pwd and injection files; they are gone afterwards', async () => {
    const r = ok(
      await runBin('cas-run', [program], {
        env: { ...launch, SCONE_CONFIG_ID: 'hello-demo/hello' },
      }),
      'cas-run',
    );
    assert.match(r.stdout, /hello: argv: .* --greeting-from-the-session argument one/);
    assert.match(r.stdout, /hello: pwd: \/\n/);
    assert.match(r.stdout, /GREETING=Hello from the CAS/);
    assert.match(r.stdout, /HOME is <not set: the host environment was discarded>/);
    assert.match(r.stdout, /file app.conf mode=600 /);
    assert.match(r.stdout, /file server.key mode=600 /);
    assert.match(r.stdout, /file ca.crt mode=644 /);
    assert.doesNotMatch(r.stderr, /WARNING: neither/);
    // Either mechanism of amendment 8 keeps the four files in memory: a private mount
    // namespace where cas-run may make one, else a private tmpfs directory.
    if (defaultTmpfsRoot() !== null) {
      assert.match(
        r.stderr,
        /4 injection file\(s\) on a tmpfs in a private mount namespace|wrote 4 injection file\(s\), 4 of them in a private tmpfs directory/,
      );
    }
    assert.match(r.stderr, /attested .* for hello-demo\/hello/);
    if (spawnSync('openssl', ['version']).status === 0) {
      assert.match(r.stdout, /openssl verify: .*server.crt: OK/);
    }
    assert.ok(!existsSync(runDir), 'the injection files and their directory are removed');
    hashes.push(passwordHash(r));
  });

  test('the generated password is the same across runs and in the session that imports it', async () => {
    const again = ok(
      await runBin('cas-run', [program], {
        env: { ...launch, SCONE_CONFIG_ID: 'hello-demo/hello' },
      }),
      'again',
    );
    const imported = ok(
      await runBin('cas-run', [program], {
        env: { ...launch, SCONE_CONFIG_ID: 'hello-demo-importer/hello' },
      }),
      'importer',
    );
    assert.match(hashes[0]!, /^[0-9a-f]{64}$/);
    assert.equal(passwordHash(again), hashes[0]);
    assert.equal(passwordHash(imported), hashes[0]);
  });

  test('a config id for a missing session or service is refused and nothing runs', async () => {
    for (const configId of ['no-such-session/hello', 'hello-demo/no-such-service']) {
      const r = await runBin('cas-run', [program], {
        env: { ...launch, SCONE_CONFIG_ID: configId },
      });
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.includes('CAS_SESSION_UNKNOWN_OR_DENIED'), r.stderr);
      assert.doesNotMatch(r.stdout, /hello:/);
    }
  });

  test('evidence replayed on a second connection is refused', async () => {
    const { refusal, config } = await replayEvidence(env!, 'hello-demo/hello');
    assert.ok(isCasError(refusal) && refusal.code === 'CAS_ATTESTATION_REFUSED', String(refusal));
    // The legitimate connection still gets its configuration with the same evidence.
    assert.equal(config.service, 'hello');
  });

  test('the same program changed by one byte is refused with the measurement the CAS saw', async () => {
    appendFileSync(program, '#');
    const changed = ok(await runBin('cas-run', ['--hash', program]), 'hash').stdout.trim();
    assert.notEqual(changed, mrenclave);
    const r = await runBin('cas-run', [program], {
      env: { ...launch, SCONE_CONFIG_ID: 'hello-demo/hello' },
    });
    assert.equal(r.code, 3, r.stderr);
    assert.ok(r.stderr.includes('CAS_ATTESTATION_REFUSED'), r.stderr);
    assert.ok(r.stderr.includes(`mrenclave=${changed}`), r.stderr);
    assert.ok(!r.stderr.includes(mrenclave), 'the expected measurement is not revealed');
    assert.doesNotMatch(r.stdout, /hello:/);
    assert.ok(!existsSync(runDir));
    assert.match(cas.output(), /attestation_refused/);
  });

  test('scone session read and the CAS log show no secret value', async () => {
    const envHash = ok(await runBin('cas-run', ['--hash', 'env']), 'hash env').stdout.trim();
    writeFileSync(
      join(dir, 'reveal.yaml'),
      simulationSession('reveal', { environment: { SETTING: 'on' } }),
    );
    ok(
      await runBin(
        'scone',
        ['session', 'create', join(dir, 'reveal.yaml'), '-e', `ENV=${envHash}`],
        {
          env: cli,
        },
      ),
      'reveal',
    );
    const r = ok(
      await runBin('cas-run', ['env'], { env: { ...launch, SCONE_CONFIG_ID: 'reveal/show' } }),
      'show',
    );
    const pw = /^PW=(.*)$/m.exec(r.stdout)?.[1];
    assert.ok(pw !== undefined && pw.length === 24, r.stdout);
    const read = ok(await runBin('scone', ['session', 'read', 'reveal'], { env: cli }), 'read');
    assert.ok(!read.stdout.includes(pw), 'session read shows no secret value');
    const readHello = ok(
      await runBin('scone', ['session', 'read', 'hello-demo'], { env: cli }),
      'read hello',
    );
    assert.doesNotMatch(readHello.stdout, /PRIVATE KEY/);
    assert.ok(!cas.output().includes(pw), 'the CAS log has no secret value');
    assert.match(cas.output(), /service_attested/);
  });
});
