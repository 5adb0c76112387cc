// End-to-end tests of the local (no network) `scone` commands, through the real binary.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import { generateIdentity } from '../../src/crypto/identity.js';
import { keyHashOfPem } from '../../src/crypto/key-hash.js';
import { runBin, type RunResult } from '../helpers/bin.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'scone-e2e-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

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
