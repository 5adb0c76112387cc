import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Identity } from '../../../src/crypto/identity.js';
import { isCasError } from '../../../src/errors/cas-error.js';
import { runLas, type RunningLas } from '../../../src/las/run-las.js';
import { parseWorkloadConfig } from '../../../src/launcher/enclave-client.js';
import { measureProgram } from '../../../src/launcher/measure-program.js';
import { prepareLaunch, type LauncherIo } from '../../../src/launcher/prepare-launch.js';
import { startEnclaveTestServer } from '../enclave/enclave-test-server.js';
import { demoSession, fakeDeps } from '../enclave/fixtures.js';

let dir: string;
let las: RunningLas;
let app: FastifyInstance;
let server: Identity;
let port: number;
let program: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prep-'));
  program = join(dir, 'prog.sh');
  writeFileSync(program, '#!/bin/sh\necho hi\n', { mode: 0o755 });
  const measurement = await measureProgram(program);
  las = await runLas(
    ['--listen', '127.0.0.1:0', '--state-dir', join(dir, 'las')],
    () => undefined,
    () => undefined,
  );
  const variants = [{ mrenclave: [measurement] }];
  const deps = fakeDeps({
    demo: demoSession('simulation', {
      command: ['app', '@@1', '@@3'],
      environment: { FROM_HOST: '@@HOSTVAR', MISSING: '@@NOPE', X: 'y' },
      attestation: variants,
    }),
    nopwd: demoSession('simulation', { pwd: join(dir, 'missing'), attestation: variants }),
  });
  ({ app, identity: server, port } = await startEnclaveTestServer(deps));
});

after(async () => {
  await app.close();
  await las.close();
  rmSync(dir, { recursive: true, force: true });
});

function io(env: NodeJS.ProcessEnv): LauncherIo & { errors: string[] } {
  const errors: string[] = [];
  return {
    env: {
      PATH: '/usr/bin:/bin',
      SCONE_CAS_ADDR: `127.0.0.1:${port}`,
      SCONE_LAS_ADDR: `127.0.0.1:${las.address.port}`,
      SCONE_MODE: 'sim',
      SCONE_CAS_KEY_HASH: server.keyHash,
      ...env,
    },
    cwd: dir,
    out: () => undefined,
    err: (line) => errors.push(line),
    errors,
  };
}

test('the child gets the session argv and env; @@N and @@NAME take host values explicitly', async () => {
  const launch = await prepareLaunch(
    ['--', program, 'h1', 'h2'],
    io({ SCONE_CONFIG_ID: 'demo/app', HOSTVAR: 'hv', SECRET_HOST: 'x' }),
  );
  assert.equal(launch.kind, 'run');
  if (launch.kind !== 'run') return;
  assert.equal(launch.child.program, program);
  assert.equal(launch.child.argv0, 'app');
  assert.deepEqual(launch.child.args, ['h1', '']);
  assert.deepEqual(launch.child.env, { FROM_HOST: 'hv', X: 'y', PASSWORD: 'SECRET-PW' });
  assert.equal(launch.child.cwd, '/');
  assert.deepEqual(
    launch.files.map((f) => f.path),
    ['/etc/app.conf'],
  );
});

test('a pwd that does not exist on this host is refused', async () => {
  await assert.rejects(
    prepareLaunch([program], io({ SCONE_CONFIG_ID: 'nopwd/app' })),
    (e: unknown) => isCasError(e) && e.code === 'CAS_LAUNCHER_PWD_MISSING',
  );
});

test('an unreachable LAS is a coded error', async () => {
  await assert.rejects(
    prepareLaunch([program], io({ SCONE_CONFIG_ID: 'demo/app', SCONE_LAS_ADDR: '127.0.0.1:1' })),
    (e: unknown) => isCasError(e) && e.code === 'CAS_LAUNCHER_LAS_UNREACHABLE',
  );
});

test('a malformed configuration from the CAS is refused', () => {
  const good = {
    session: 's',
    service: 'v',
    simulation: true,
    warnings: [],
    argv: [],
    env: {},
    files: [],
  };
  assert.equal(parseWorkloadConfig(good).session, 's');
  for (const bad of [
    null,
    { ...good, argv: [1] },
    { ...good, env: { A: 1 } },
    { ...good, files: [{ path: '/x', mode: 0o10000, content: '' }] },
    { ...good, files: [{ path: '/x', mode: 1.5, content: '' }] },
  ]) {
    assert.throws(
      () => parseWorkloadConfig(bad),
      (e: unknown) => isCasError(e) && e.code === 'CAS_LAUNCHER_BAD_RESPONSE',
    );
  }
});
