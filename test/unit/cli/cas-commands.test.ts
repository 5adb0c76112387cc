import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { pinnedCasCertificates } from '../../../src/cli/pinned-cas.js';
import { pinnedCas, writeStateWithCas } from './certs.js';
import { cli } from './fake-io.js';
import { tempDir } from '../../helpers/temp-dir.js';

async function setup(t: TestContext) {
  const path = join(tempDir(t), 'config.json');
  const alpha = await pinnedCas('alpha.example');
  const beta = { ...(await pinnedCas('beta.example')), relaxations: ['only_for_testing-debug'] };
  await writeStateWithCas(path, { beta, alpha }, 'beta');
  return { env: { SCONE_CLI_CONFIG: path }, path, alpha, beta };
}

test('cas list marks the default with * and sorts by name', async (t) => {
  const { env, alpha, beta } = await setup(t);
  const run = await cli(['cas', 'list'], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(
    run.stdout,
    '  alpha: https://alpha.example:8081/\n* beta: https://beta.example:8081/\n',
  );
  const json = JSON.parse((await cli(['cas', 'list', '--json'], { env })).stdout) as {
    default_cas: string;
    cas: { name: string; default: boolean; software_key_hash: string; relaxations: string[] }[];
  };
  assert.equal(json.default_cas, 'beta');
  assert.deepEqual(
    json.cas.map((c) => [c.name, c.default, c.software_key_hash, c.relaxations]),
    [
      ['alpha', false, alpha.software_key_hash, []],
      ['beta', true, beta.software_key_hash, ['only_for_testing-debug']],
    ],
  );
});

test('cas list of a fresh state prints nothing', async (t) => {
  const env = { SCONE_CLI_CONFIG: join(tempDir(t), 'config.json') };
  const run = await cli(['cas', 'list'], { env });
  assert.equal(run.code, 0);
  assert.equal(run.stdout, '');
  assert.deepEqual(JSON.parse((await cli(['cas', 'list', '--json'], { env })).stdout), {
    default_cas: null,
    cas: [],
  });
});

test('cas set-default changes the default; an unknown name is exit 2 and changes nothing', async (t) => {
  const { env, path } = await setup(t);
  const before = readFileSync(path, 'utf8');
  const unknown = await cli(['cas', 'set-default', 'gamma'], { env });
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /^Error: no CAS named "gamma" .*known: alpha, beta.*\(CAS_CLI_CAS_UNKNOWN\)\n$/,
  );
  assert.equal(readFileSync(path, 'utf8'), before);
  const proto = await cli(['cas', 'set-default', '__proto__'], { env });
  assert.equal(proto.code, 2);
  const ok = await cli(['cas', 'set-default', 'alpha', '--json'], { env });
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout), { default_cas: 'alpha' });
  assert.match((await cli(['cas', 'list'], { env })).stdout, /^\* alpha:/);
  assert.equal(
    (await cli(['cas', 'set-default', 'beta'], { env })).stdout,
    'Default CAS is now beta\n',
  );
  const missing = await cli(['cas', 'set-default'], { env });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /CAS_CLI_USAGE/);
});

test('cas show-identification prints each pinned value; default is the chain', async (t) => {
  const { env, alpha, beta } = await setup(t);
  const certs = pinnedCasCertificates(beta);
  const cases = [
    { flags: ['-c'], out: beta.cas_key_hash },
    { flags: ['-s'], out: beta.software_key_hash },
    { flags: ['-C'], out: certs.cas.trimEnd() },
    { flags: ['-S'], out: certs.software.trimEnd() },
    { flags: [], out: certs.chain.trimEnd() },
    { flags: ['--cas-key-hash'], out: beta.cas_key_hash },
    { flags: ['alpha', '-s'], out: alpha.software_key_hash },
  ];
  for (const { flags, out } of cases) {
    const run = await cli(['cas', 'show-identification', ...flags], { env });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${out}\n`, flags.join(' '));
  }
  assert.deepEqual(
    JSON.parse((await cli(['cas', 'show-identification', '-c', '--json'], { env })).stdout),
    {
      name: 'beta',
      cas_key_hash: beta.cas_key_hash,
    },
  );
  const all = JSON.parse(
    (await cli(['cas', 'show-identification', 'alpha', '--json'], { env })).stdout,
  ) as Record<string, string>;
  assert.equal(all['software_key_hash'], alpha.software_key_hash);
  assert.equal(all['chain'], pinnedCasCertificates(alpha).chain);
  const relaxed = await cli(['cas', 'show-identification', 'beta', '-c'], { env });
  assert.match(
    relaxed.stderr,
    /^Warning: CAS "beta" was attested with relaxed checks \(only_for_testing-debug\)/,
  );
  const strict = await cli(['cas', 'show-identification', 'alpha', '-c'], { env });
  assert.equal(strict.stderr, '');
  const two = await cli(['cas', 'show-identification', '-c', '-s'], { env });
  assert.equal(two.code, 1);
  assert.match(two.stderr, /at most one of -c, -s, -C and -S \(CAS_CLI_USAGE\)/);
  assert.equal((await cli(['cas', 'show-identification', 'nope'], { env })).code, 2);
});

test('cas show-certificate prints the CAS certificate of the named or default CAS', async (t) => {
  const { env, alpha, beta } = await setup(t);
  const run = await cli(['cas', 'show-certificate'], { env });
  assert.equal(run.stdout, pinnedCasCertificates(beta).cas);
  const named = await cli(['cas', 'show-certificate', 'alpha', '--json'], { env });
  assert.deepEqual(JSON.parse(named.stdout), {
    name: 'alpha',
    certificate: pinnedCasCertificates(alpha).cas,
  });
});

test('with no CAS named and no default, CAS commands exit 2 with CAS_CLI_NO_DEFAULT_CAS', async (t) => {
  const env = { SCONE_CLI_CONFIG: join(tempDir(t), 'config.json') };
  for (const argv of [
    ['cas', 'show-certificate'],
    ['cas', 'show-identification', '-c'],
  ]) {
    const run = await cli(argv, { env });
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /^Error: no CAS given and no default CAS.*\(CAS_CLI_NO_DEFAULT_CAS\)\n$/,
    );
  }
});
