import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runBin } from '../helpers/bin.js';
import { startDaemon, stopDaemon, type Daemon } from '../helpers/daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'cas-dev-'));
const env = { SCONE_CLI_CONFIG: join(dir, 'cli.json') };
let daemon: Daemon | undefined;

after(async () => {
  if (daemon !== undefined) await stopDaemon(daemon.child);
  rmSync(dir, { recursive: true, force: true });
});

test('cas dev: self-provisioned with the CLI identity, pinned as the default CAS, with a LAS', async () => {
  writeFileSync(
    join(dir, 'dev.toml'),
    '[database]\npath = ".cas-dev/db/cas.db"\n[api]\napi_listen = "127.0.0.1:0"\nenclave_listen = "127.0.0.1:0"\n[platform]\nstate_dir = ".cas-dev/state"\n',
  );
  // The daemon inherits this process's environment: the CLI state lives in the temp folder.
  process.env['SCONE_CLI_CONFIG'] = env.SCONE_CLI_CONFIG;
  daemon = await startDaemon(
    'cas',
    ['-c', 'dev.toml', 'dev', '--las-listen', '127.0.0.1:0'],
    dir,
    'Next, try:',
  );
  const out = daemon.stdout();
  assert.match(out, /^CAS key hash: \S+$/m);
  assert.match(out, /^CAS client API: https:\/\/127\.0\.0\.1:\d+\/ \(simulation mode\)$/m);
  assert.match(out, /^LAS: 127\.0\.0\.1:\d+$/m);
  assert.match(out, /^LAS platform id: \S+$/m);
  assert.doesNotMatch(out, /provisioning token/, 'already provisioned: no token to print');

  const state = JSON.parse(readFileSync(env.SCONE_CLI_CONFIG, 'utf8')) as {
    default_cas: string;
    cas_db: Record<string, { relaxations: string[]; cas_key_hash: string }>;
  };
  assert.equal(state.default_cas, 'dev');
  assert.deepEqual(state.cas_db['dev']!.relaxations, ['only_for_testing-debug']);
  assert.equal(state.cas_db['dev']!.cas_key_hash, /^CAS key hash: (\S+)$/m.exec(out)![1]);

  writeFileSync(
    join(dir, 's.yaml'),
    'version: "0.3.10"\nname: hello\nsecurity:\n  attestation:\n    mode: none\nservices:\n  - name: app\n    command: /bin/true\n',
  );
  const create = await runBin('scone', ['session', 'create', join(dir, 's.yaml')], { env });
  assert.equal(create.code, 0, create.stderr);
  assert.match(create.stdout.trimEnd().split('\n').pop()!, /^[0-9a-f]{64}$/);
  assert.match(create.stderr, /relaxed checks/, 'the relaxation is warned about on use');
});
