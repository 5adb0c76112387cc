import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import type { KeyType, SecretKind, SecretSpec } from '../../../src/policy/types.js';
import { ASCII_ALPHABET, generateAscii } from '../../../src/secrets/generate-ascii.js';
import { generateSecret } from '../../../src/secrets/generate-secret.js';
import { generateSecrets } from '../../../src/secrets/generate-secrets.js';
import { SecretValue } from '../../../src/secrets/secret-value.js';
import { context, dataOf, NOW, ports, rejectsWithCode } from './fixtures.js';

test('ascii: default 20 printable characters, size honoured', async () => {
  const a = dataOf(await generateSecret({ name: 'a', kind: 'ascii' }, context()), 'ascii');
  assert.equal(a.text.length, 20);
  assert.match(a.text, /^[\x21-\x7e]+$/);
  assert.equal(a.origin, 'generated');
  const b = dataOf(
    await generateSecret({ name: 'b', kind: 'ascii', size: 77 }, context()),
    'ascii',
  );
  assert.equal(b.text.length, 77);
});

test('ascii: bytes that would bias the modulo are rejected, the rest map uniformly', async () => {
  // 94 visible characters; 188 = 2*94 is the rejection limit.
  assert.equal(ASCII_ALPHABET.length, 94);
  const feed = [255, 188, 0, 93, 94, 187, 200, 1];
  let at = 0;
  const ctx = {
    ...context(),
    randomBytes: (n: number) => {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i++) out[i] = feed[at++ % feed.length]!;
      return out;
    },
  };
  const v = dataOf(await generateAscii({ name: 'p', kind: 'ascii', size: 5 }, ctx), 'ascii');
  // 255 and 188 skipped; 0 -> '!', 93 -> '~', 94 -> '!', 187 -> '~', 200 skipped, 1 -> '"'.
  assert.equal(v.text, '!~!~"');
});

test('ascii: every character of the alphabet is reachable and counts are flat', async () => {
  const v = dataOf(
    await generateSecret({ name: 'a', kind: 'ascii', size: 94 * 200 }, context()),
    'ascii',
  );
  const counts = new Map<string, number>();
  for (const c of v.text) counts.set(c, (counts.get(c) ?? 0) + 1);
  assert.equal(counts.size, 94);
  for (const n of counts.values()) assert.ok(n > 100 && n < 320, `count ${n} is far from 200`);
});

test('binary: default 20 bytes, size honoured, explicit hex validated', async () => {
  const a = dataOf(await generateSecret({ name: 'a', kind: 'binary' }, context()), 'binary');
  assert.equal(a.hex.length, 40);
  const b = dataOf(
    await generateSecret({ name: 'b', kind: 'binary', size: 32 }, context()),
    'binary',
  );
  assert.equal(b.hex.length, 64);
  const c = dataOf(
    await generateSecret({ name: 'c', kind: 'binary', value: 'DEADbeef' }, context()),
    'binary',
  );
  assert.equal(c.hex, 'deadbeef');
  assert.equal(c.origin, 'explicit');
  await rejectsWithCode(
    () => generateSecret({ name: 'd', kind: 'binary', value: 'abc' }, context()),
    'CAS_SECRETS_INVALID_VALUE',
  );
  await rejectsWithCode(
    () => generateSecret({ name: 'd', kind: 'binary', value: 'zz' }, context()),
    'CAS_SECRETS_INVALID_VALUE',
  );
  await rejectsWithCode(
    () => generateSecret({ name: 'd', kind: 'binary', value: 'abcd', size: 3 }, context()),
    'CAS_SECRETS_INVALID_VALUE',
    '3 bytes',
  );
});

test('sizes out of range are refused with CAS_SECRETS_INVALID_PARAMS', async () => {
  for (const size of [0, -1, 1.5, 65537]) {
    for (const kind of ['ascii', 'binary'] as const) {
      await rejectsWithCode(
        () => generateSecret({ name: 's', kind, size }, context()),
        'CAS_SECRETS_INVALID_PARAMS',
      );
    }
  }
});

test('explicit ascii: kept as written, must be a string of the declared size', async () => {
  const v = dataOf(
    await generateSecret({ name: 'a', kind: 'ascii', value: 'hunter2' }, context()),
    'ascii',
  );
  assert.equal(v.text, 'hunter2');
  assert.equal(v.origin, 'explicit');
  await rejectsWithCode(
    () => generateSecret({ name: 'a', kind: 'ascii', value: 42 }, context()),
    'CAS_SECRETS_INVALID_VALUE',
  );
  await rejectsWithCode(
    () => generateSecret({ name: 'a', kind: 'ascii', value: 'abc', size: 4 }, context()),
    'CAS_SECRETS_INVALID_VALUE',
  );
});

const keyCases: readonly [KeyType | undefined, string, Record<string, unknown>][] = [
  [undefined, 'ec', { namedCurve: 'prime256v1' }],
  ['P-256', 'ec', { namedCurve: 'prime256v1' }],
  ['P-384', 'ec', { namedCurve: 'secp384r1' }],
  ['Ed25519', 'ed25519', {}],
  ['RSA-2048', 'rsa', { modulusLength: 2048 }],
  ['RSA-3072', 'rsa', { modulusLength: 3072 }],
];

for (const [keyType, type, details] of keyCases) {
  test(`private-key ${keyType ?? '(default)'}: PKCS#8 PEM of a ${type} key`, async () => {
    const spec: SecretSpec = {
      name: 'k',
      kind: 'private-key',
      ...(keyType ? { key_type: keyType } : {}),
    };
    const d = dataOf(await generateSecret(spec, context()), 'private-key');
    assert.match(d.pkcs8_pem, /^-----BEGIN PRIVATE KEY-----\n/);
    const key = createPrivateKey(d.pkcs8_pem);
    assert.equal(key.asymmetricKeyType, type);
    for (const [k, v] of Object.entries(details)) {
      assert.equal((key.asymmetricKeyDetails as Record<string, unknown>)[k], v);
    }
    assert.equal(d.key_type, keyType ?? 'P-256');
  });
}

test('private-key: an explicit key is normalised to PKCS#8 and checked against key_type', async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const sec1 = privateKey.export({ type: 'sec1', format: 'pem' }).toString();
  const d = dataOf(
    await generateSecret({ name: 'k', kind: 'private-key', value: sec1 }, context()),
    'private-key',
  );
  assert.equal(d.key_type, 'P-384');
  assert.equal(d.origin, 'explicit');
  assert.match(d.pkcs8_pem, /BEGIN PRIVATE KEY/);
  await rejectsWithCode(
    () =>
      generateSecret({ name: 'k', kind: 'private-key', value: sec1, key_type: 'P-256' }, context()),
    'CAS_SECRETS_INVALID_VALUE',
  );
  const err = await rejectsWithCode(
    () =>
      generateSecret({ name: 'k', kind: 'private-key', value: 'not a key SECRETSTUFF' }, context()),
    'CAS_SECRETS_INVALID_VALUE',
  );
  assert.ok(!err.message.includes('SECRETSTUFF'));
  const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  });
  await rejectsWithCode(
    () => generateSecret({ name: 'k', kind: 'private-key', value: p521.toString() }, context()),
    'CAS_SECRETS_INVALID_VALUE',
    'unsupported key',
  );
  await rejectsWithCode(
    () =>
      generateSecret({ name: 'k', kind: 'private-key', key_type: 'P-521' as KeyType }, context()),
    'CAS_SECRETS_INVALID_PARAMS',
  );
});

test('public-key: the SPKI of the named private key, or an explicit SPKI PEM', async () => {
  const { values } = await generateSecrets(
    [
      { name: 'pub', kind: 'public-key', private_key: 'k' },
      { name: 'k', kind: 'private-key', key_type: 'Ed25519' },
    ],
    ports(),
  );
  const k = dataOf(values.get('k'), 'private-key');
  const pub = dataOf(values.get('pub'), 'public-key');
  assert.equal(
    pub.spki_pem,
    createPublicKey(createPrivateKey(k.pkcs8_pem)).export({ type: 'spki', format: 'pem' }),
  );
  assert.equal(pub.spki_sha256, k.spki_sha256);
  const explicit = dataOf(
    await generateSecret({ name: 'p', kind: 'public-key', value: pub.spki_pem }, context()),
    'public-key',
  );
  assert.equal(explicit.spki_pem, pub.spki_pem);
  await rejectsWithCode(
    () => generateSecret({ name: 'p', kind: 'public-key', value: k.pkcs8_pem }, context()),
    'CAS_SECRETS_INVALID_VALUE',
  );
  await rejectsWithCode(
    () => generateSecret({ name: 'p', kind: 'public-key', private_key: 'nope' }, context()),
    'CAS_SECRETS_BAD_REFERENCE',
  );
  await rejectsWithCode(
    () =>
      generateSecret(
        { name: 'p', kind: 'public-key', private_key: 'k' },
        context(new Map([['k', values.get('pub')!]])),
      ),
    'CAS_SECRETS_BAD_REFERENCE',
    'expected private-key',
  );
  await rejectsWithCode(
    () => generateSecret({ name: 'p', kind: 'public-key' }, context()),
    'CAS_SECRETS_BAD_REFERENCE',
  );
});

test('config-fragment: the value is kept as data; without one it is an error', async () => {
  const data = { a: [1, 'two', { three: true }], b: null };
  const d = dataOf(
    await generateSecret({ name: 'f', kind: 'config-fragment', value: data }, context()),
    'config-fragment',
  );
  assert.deepEqual(d.data, data);
  await rejectsWithCode(
    () => generateSecret({ name: 'f', kind: 'config-fragment' }, context()),
    'CAS_SECRETS_INVALID_VALUE',
  );
  await rejectsWithCode(
    () => generateSecret({ name: 'f', kind: 'config-fragment', value: new Date(0) }, context()),
    'CAS_SECRETS_INVALID_VALUE',
  );
});

test('an unknown kind is refused with CAS_SECRETS_UNKNOWN_KIND', async () => {
  for (const kind of ['pgp-key', 'jwt', 'toString', '__proto__', undefined]) {
    await rejectsWithCode(
      () =>
        generateSecret(
          { name: 'x', ...(kind === undefined ? {} : { kind: kind as SecretKind }) },
          context(),
        ),
      'CAS_SECRETS_UNKNOWN_KIND',
    );
  }
});

test('generateSecrets orders by reference and reports cycles', async () => {
  const { values, actions } = await generateSecrets(
    [
      { name: 'leaf', kind: 'x509', issuer: 'ca', private_key: 'key' },
      { name: 'ca', kind: 'x509-ca' },
      { name: 'key', kind: 'private-key' },
      { name: 'pw', kind: 'ascii', value: 'x' },
      { name: 'imp', kind: 'ascii', import: { session: 'other', secret: 's' } },
    ],
    ports(),
  );
  assert.deepEqual([...values.keys()], ['key', 'ca', 'leaf', 'pw']);
  assert.equal(actions.get('pw'), 'explicit');
  assert.equal(actions.get('leaf'), 'generated');
  assert.equal(actions.get('imp'), 'unresolved-import');
  await rejectsWithCode(
    () =>
      generateSecrets(
        [
          { name: 'a', kind: 'x509-ca', issuer: 'b' },
          { name: 'b', kind: 'x509-ca', issuer: 'a' },
        ],
        ports(),
      ),
    'CAS_SECRETS_BAD_REFERENCE',
    'cycle',
  );
  const imported = new Map([
    ['imp', new SecretValue({ kind: 'ascii', origin: 'imported', text: 't' })],
  ]);
  const r = await generateSecrets(
    [{ name: 'imp', import: { session: 'o', secret: 's' } }],
    ports(),
    { imported },
  );
  assert.equal(r.actions.get('imp'), 'imported');
  assert.equal(NOW.getTime() > 0, true);
});
