import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { canMakeMountNamespace } from '../../src/launcher/isolation.js';
import { runBin } from '../helpers/bin.js';
import { stopDaemon } from '../helpers/daemon.js';
import {
  launchEnv,
  ok,
  provisionCas,
  startCas,
  startLas,
  writeCasSetup,
} from '../helpers/provisioned-cas.js';

// cas-run end to end with a CAS and a LAS: the injection files of a session reach the program
// through the private mount namespace (when it can be made) and through the 0700 directory
// fallback (CAS_RUN_ISOLATION=directory), and are gone afterwards either way.

const SESSION = `name: nsdemo
version: "0.3.10"
security:
  attestation:
    mode: simulation
services:
  - name: show
    image_name: img
    command: show
    environment:
      PATH: /usr/bin:/bin
    attestation:
      - mrenclave: [$MRENCLAVE]
images:
  - name: img
    injection_files:
      - path: $DIR/app.conf
        permission: "0640"
        content: "pw=$$SCONE::pw$$"
secrets:
  - name: pw
    kind: ascii
    size: 16
`;

describe('cas-run injection files with a CAS, namespace and directory', () => {
  let dir: string;
  let filesDir: string;
  let cas: ChildProcess | undefined;
  let las: ChildProcess | undefined;
  let program: string;
  let launch: NodeJS.ProcessEnv;

  before(async () => {
    const setup = await writeCasSetup('cas-run-ns-cas-');
    dir = setup.dir;
    const cli = { SCONE_CLI_CONFIG: join(dir, 'cli.json') };
    const c = await startCas(dir, ['-c', 'cas.toml']);
    cas = c.child;
    const l = await startLas(dir);
    las = l.child;
    ok(await provisionCas(setup, c, cli), 'provision');
    filesDir = join(dir, 'run', 'conf');
    program = join(dir, 'show.sh');
    writeFileSync(
      program,
      `#!/bin/sh\necho "mode $(stat -c %a ${filesDir}/app.conf)"\necho "content $(cat ${filesDir}/app.conf)"\nexit 5\n`,
      { mode: 0o755 },
    );
    const mrenclave = (await runBin('cas-run', ['--hash', program])).stdout.trim();
    writeFileSync(
      join(dir, 'session.yaml'),
      SESSION.replace('$MRENCLAVE', mrenclave).replace('$DIR', filesDir),
    );
    ok(
      await runBin('scone', ['session', 'create', join(dir, 'session.yaml')], { env: cli }),
      'create',
    );
    launch = { ...launchEnv(c, l), SCONE_CONFIG_ID: 'nsdemo/show' };
  });

  after(async () => {
    if (cas !== undefined) await stopDaemon(cas);
    if (las !== undefined) await stopDaemon(las);
    rmSync(dir, { recursive: true, force: true });
  });

  const shm = (): string[] =>
    existsSync('/dev/shm') ? readdirSync('/dev/shm').filter((n) => n.startsWith('cas-run')) : [];

  test(
    'automatic choice: a private mount namespace, reported in one info line',
    { skip: canMakeMountNamespace() ? false : 'unshare --mount is not permitted here: skipped' },
    async () => {
      const before = shm();
      const r = await runBin('cas-run', [program], { env: launch });
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stdout, /mode 640/);
      assert.match(r.stdout, /content pw=.{16}/);
      assert.match(r.stderr, /1 injection file\(s\) on a tmpfs in a private mount namespace/);
      assert.doesNotMatch(r.stderr, /Warning: no private mount namespace/);
      assert.ok(!existsSync(join(dir, 'run')), 'nothing remains at the target path');
      assert.deepEqual(shm(), before);
    },
  );

  test('CAS_RUN_ISOLATION=directory keeps the warned fallback, which also removes the files', async () => {
    const r = await runBin('cas-run', [program], {
      env: { ...launch, CAS_RUN_ISOLATION: 'directory' },
    });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stdout, /mode 640/);
    assert.match(r.stdout, /content pw=.{16}/);
    assert.match(r.stderr, /Warning: no private mount namespace \(directory fallback\)/);
    assert.ok(!existsSync(join(dir, 'run')), 'nothing remains at the target path');
  });

  test('an unknown CAS_RUN_ISOLATION is refused before anything is written or run', async () => {
    const r = await runBin('cas-run', [program], {
      env: { ...launch, CAS_RUN_ISOLATION: 'chroot' },
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /CAS_LAUNCHER_ENV_INVALID/);
    assert.doesNotMatch(r.stdout, /mode/);
  });
});
