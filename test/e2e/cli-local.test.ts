// End-to-end tests of the local (no network) `scone` commands, through the real binary.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import { generateIdentity } from '../../src/crypto/identity.js';
import { keyHashOfPem } from '../../src/crypto/key-hash.js';
import { runBin, type RunResult } from '../helpers/bin.js';
import { pinnedCasCertificates } from '../../src/cli/pinned-cas.js';
import { pinnedCas, writeStateWithCas } from '../unit/cli/certs.js';
import { tempDir } from '../helpers/temp-dir.js';

function scone(dir: string, args: readonly string[], input?: string): Promise<RunResult> {
  return runBin('scone', args, {
    env: { SCONE_CLI_CONFIG: join(dir, 'state', 'config.json'), SCONE_CLI_DEBUG: '' },
    ...(input === undefined ? {} : { input }),
  });
}

function assertError(run: RunResult, exit: number, code: string): void {
  assert.equal(run.code, exit, run.stderr);
  assert.match(run.stderr, new RegExp(`^Error: .*\\(${code}\\)\\n`));
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
}

test('scone self: first use creates a 0600 state file with an identity; show prints it', async (t) => {
  const dir = tempDir(t);
  const show = await scone(dir, ['self', 'show']);
  assert.equal(show.code, 0, show.stderr);
  assert.equal(statSync(join(dir, 'state', 'config.json')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'state')).mode & 0o777, 0o700);
  const hash = await scone(dir, ['self', 'show-key-hash']);
  const cert = await scone(dir, ['self', 'show-certificate']);
  assert.match(cert.stdout, /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
  assert.equal(hash.stdout, `${keyHashOfPem(cert.stdout)}\n`);
  assert.equal(show.stdout, `${cert.stdout}Key hash: ${hash.stdout}`);
  const json = await scone(dir, ['self', 'show', '--json']);
  assert.deepEqual(JSON.parse(json.stdout), {
    certificate: cert.stdout,
    key_hash: hash.stdout.trim(),
  });
});

test('scone --identity FILE overrides the stored identity', async (t) => {
  const dir = tempDir(t);
  const id = await generateIdentity();
  const file = join(dir, 'id.pem');
  writeFileSync(file, id.toPem());
  const run = await scone(dir, ['self', 'show-key-hash', '--identity', file]);
  assert.equal(run.stdout, `${id.keyHash}\n`);
  assert.match(run.stderr, /^Warning: the identity file .* has mode 06[0-7][0-7]; run: chmod 600/);
  chmodSync(file, 0o600);
  assert.equal((await scone(dir, ['self', 'show-key-hash', '--identity', file])).stderr, '');
  const other = await generateIdentity();
  writeFileSync(file, id.keyPem() + other.certPem);
  assertError(
    await scone(dir, ['--identity', file, 'self', 'show']),
    1,
    'CAS_CLI_IDENTITY_MISMATCH',
  );
  writeFileSync(file, other.certPem);
  assertError(
    await scone(dir, ['self', 'show', '--identity', file]),
    1,
    'CAS_CLI_IDENTITY_INVALID',
  );
});

test('scone cert show-key-hash: certificate, public key, stdin, errors', async (t) => {
  const dir = tempDir(t);
  const id = await generateIdentity();
  const pub = generateKeyPairSync('ec', { namedCurve: 'P-384' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
  writeFileSync(join(dir, 'cert.pem'), id.certPem);
  writeFileSync(join(dir, 'pub.pem'), pub);
  writeFileSync(join(dir, 'not.pem'), 'hello\n');
  const cert = await scone(dir, ['cert', 'show-key-hash', join(dir, 'cert.pem')]);
  assert.equal(cert.stdout, `${id.keyHash}\n`);
  const key = await scone(dir, ['cert', 'show-key-hash', join(dir, 'pub.pem'), '--json']);
  assert.deepEqual(JSON.parse(key.stdout), { key_hash: keyHashOfPem(pub) });
  const stdin = await scone(dir, ['cert', 'show-key-hash', '-'], id.certPem);
  assert.equal(stdin.stdout, `${id.keyHash}\n`);
  assertError(
    await scone(dir, ['cert', 'show-key-hash', join(dir, 'not.pem')]),
    1,
    'CAS_CRYPTO_NOT_PEM',
  );
  const missing = await scone(dir, ['cert', 'show-key-hash', join(dir, 'nope.pem'), '--json']);
  assertError(missing, 1, 'CAS_CLI_FILE_UNREADABLE');
  assert.equal(
    (JSON.parse(missing.stdout) as { error: { code: string } }).error.code,
    'CAS_CLI_FILE_UNREADABLE',
  );
  assertError(await scone(dir, ['cert', 'show-key-hash', dir]), 1, 'CAS_CLI_FILE_UNREADABLE');
  assertError(await scone(dir, ['cert', 'nope']), 1, 'CAS_CLI_USAGE');
});

test('scone cas: list, set-default, show-identification, show-certificate from the state file', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'state'), { mode: 0o700 });
  const path = join(dir, 'state', 'config.json');
  const one = await pinnedCas('one.example');
  const two = await pinnedCas('two.example');
  await writeStateWithCas(path, { one, two }, 'one');
  const list = await scone(dir, ['cas', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.equal(list.stdout, '* one: https://one.example:8081/\n  two: https://two.example:8081/\n');
  const set = await scone(dir, ['cas', 'set-default', 'two', '--json']);
  assert.deepEqual(JSON.parse(set.stdout), { default_cas: 'two' });
  assert.equal(statSync(path).mode & 0o777, 0o600, 'rewritten with mode 0600');
  assert.match((await scone(dir, ['cas', 'list'])).stdout, /^ {2}one: .*\n\* two: /);
  assert.equal(
    (await scone(dir, ['cas', 'show-identification', '-s'])).stdout,
    `${two.software_key_hash}\n`,
  );
  assert.equal(
    (await scone(dir, ['cas', 'show-identification', 'one', '-c'])).stdout,
    `${one.cas_key_hash}\n`,
  );
  const cert = await scone(dir, ['cas', 'show-certificate', 'one']);
  assert.equal(cert.stdout, pinnedCasCertificates(one).cas);
  const unknown = await scone(dir, ['cas', 'set-default', 'three', '--json']);
  assertError(unknown, 2, 'CAS_CLI_CAS_UNKNOWN');
  assert.equal(
    (JSON.parse(unknown.stdout) as { error: { code: string } }).error.code,
    'CAS_CLI_CAS_UNKNOWN',
  );
  assertError(await scone(dir, ['cas', 'show-identification', '-c', '-S']), 1, 'CAS_CLI_USAGE');
  // A corrupt state file is refused and left as it is.
  writeFileSync(path, '{"identity": ', { mode: 0o600 });
  assertError(await scone(dir, ['cas', 'list']), 1, 'CAS_CLI_STATE_CORRUPT');
  assert.equal(readFileSync(path, 'utf8'), '{"identity": ');
});

test('scone cas with an empty state: no default CAS is exit 2', async (t) => {
  const dir = tempDir(t);
  assert.equal((await scone(dir, ['cas', 'list'])).stdout, '');
  assertError(await scone(dir, ['cas', 'show-certificate']), 2, 'CAS_CLI_NO_DEFAULT_CAS');
});

test('scone session check and calculate-hash', async (t) => {
  const dir = tempDir(t);
  const good = join(dir, 'good.yaml');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    good,
    `name: e2e\nversion: "0.3.10"\nservices:\n  - name: app\n    command: /app $ARG\n    attestation:\n      - mrenclave: ["${'0f'.repeat(32)}"]\n`,
  );
  writeFileSync(bad, 'name: "a/../b"\nversion: "9"\nextra: 1\n');
  const ok = await scone(dir, ['session', 'check', good, '-e', 'ARG=x']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^name: e2e\n/);
  const invalid = await scone(dir, ['session', 'check', bad]);
  assertError(
    { ...invalid, stderr: invalid.stderr.replace(/^.*bad\.yaml:\d+:\d+: .*\n/gm, '') },
    3,
    'CAS_CLI_SESSION_INVALID',
  );
  assert.ok(
    (invalid.stderr.match(/bad\.yaml:\d+:\d+: CAS_POLICY_/g) ?? []).length >= 2,
    invalid.stderr,
  );
  assertError(await scone(dir, ['session', 'check', good, '-e', 'ARG']), 1, 'CAS_CLI_USAGE');
  assertError(
    await scone(dir, ['session', 'check', join(dir, 'none.yaml')]),
    1,
    'CAS_CLI_FILE_UNREADABLE',
  );
  const hashArgs = [
    'session',
    'calculate-hash',
    good,
    '-e',
    'ARG=x',
    '--with-self-as-creator',
    'tls',
  ];
  const hash = await scone(dir, hashArgs);
  assert.equal(hash.code, 0, hash.stderr);
  assert.match(hash.stdout.trimEnd().split('\n').at(-1)!, /^[0-9a-f]{64}$/);
  const json = await scone(dir, [...hashArgs, '--json']);
  assert.equal((JSON.parse(json.stdout) as { hash: string }).hash, hash.stdout.trim());
});
