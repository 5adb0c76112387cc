import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { SecretValue } from '../../../src/secrets/secret-value.js';
import { dataOf, generateAll, rejectsWithCode } from './fixtures.js';

test('JSON.stringify and util.inspect never print the material of any kind', async () => {
  const values = await generateAll([
    { name: 'pw', kind: 'ascii', value: 'hunter2-hunter2' },
    { name: 'bin', kind: 'binary', value: 'c0ffee00c0ffee00' },
    { name: 'key', kind: 'private-key' },
    { name: 'pub', kind: 'public-key', private_key: 'key' },
    { name: 'ca', kind: 'x509-ca' },
    { name: 'cert', kind: 'x509', issuer: 'ca', private_key: 'key' },
    { name: 'frag', kind: 'config-fragment', value: { token: 'fragment-secret' } },
  ]);
  const key = dataOf(values.get('key'), 'private-key');
  const keyBody = key.pkcs8_pem.split('\n')[1]!;
  const certBody = dataOf(values.get('cert'), 'x509').certificate_pem.split('\n')[1]!;
  const all = [...values.values()];
  const printed = [
    JSON.stringify(all),
    JSON.stringify(Object.fromEntries(values)),
    inspect(all, { depth: 10 }),
    inspect(values, { depth: 10 }),
    `${all.map((v) => JSON.stringify({ v })).join()}`,
  ].join('\n');
  for (const secret of [
    'hunter2',
    'c0ffee',
    keyBody.slice(0, 20),
    certBody.slice(0, 20),
    'fragment-secret',
    'PRIVATE KEY',
  ]) {
    assert.ok(!printed.includes(secret), `printed output leaks ${secret}`);
  }
  assert.match(inspect(values.get('cert')), /SecretValue .*"kind":"x509".*"redacted":true/);
  assert.equal(
    (JSON.parse(JSON.stringify(values.get('key'))) as { key_type: string }).key_type,
    'P-256',
  );
});

test('toStored / fromStored round-trips, and malformed stored data is refused', async () => {
  const values = await generateAll([
    { name: 'ca', kind: 'x509-ca' },
    { name: 'b', kind: 'binary' },
  ]);
  for (const v of values.values()) {
    const back = SecretValue.fromStored(JSON.parse(JSON.stringify(v.toStored())));
    assert.deepEqual(back.reveal(), v.reveal());
  }
  const bad: unknown[] = [
    null,
    'x',
    { kind: 'ascii', origin: 'generated' },
    { kind: 'ascii', origin: 'stolen', text: 'a' },
    { kind: 'binary', origin: 'generated', hex: 'XYZ' },
    { kind: 'x509', origin: 'generated', certificate_pem: 'p', chain_pem: [1] },
    { kind: 'pgp-key', origin: 'generated' },
  ];
  for (const b of bad) {
    await rejectsWithCode(() => SecretValue.fromStored(b), 'CAS_SECRETS_STORED_INVALID');
  }
});
