import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import type { SecretSpec } from '../../../src/policy/types.js';
import { generateSecrets } from '../../../src/secrets/generate-secrets.js';
import { migrateSecrets, type MigrationDecision } from '../../../src/secrets/migrate-secrets.js';
import { isExpired, renewIfExpired } from '../../../src/secrets/renew-if-expired.js';
import { SecretValue } from '../../../src/secrets/secret-value.js';
import { dataOf, NOW, ports } from './fixtures.js';

interface Row {
  readonly rule: string;
  readonly old: readonly SecretSpec[];
  readonly new: readonly SecretSpec[];
  readonly expect: Readonly<Record<string, MigrationDecision>>;
}

const ca: SecretSpec = { name: 'ca', kind: 'x509-ca' };
const leaf: SecretSpec = { name: 'leaf', kind: 'x509', issuer: 'ca', san: ['dns:a.example'] };

const rows: Row[] = [
  {
    rule: 'ascii with the same name and kind is kept',
    old: [{ name: 's', kind: 'ascii' }],
    new: [{ name: 's', kind: 'ascii' }],
    expect: { s: 'kept' },
  },
  {
    rule: 'binary is kept',
    old: [{ name: 's', kind: 'binary', size: 32 }],
    new: [{ name: 's', kind: 'binary', size: 32 }],
    expect: { s: 'kept' },
  },
  {
    rule: 'a changed size regenerates',
    old: [{ name: 's', kind: 'ascii' }],
    new: [{ name: 's', kind: 'ascii', size: 30 }],
    expect: { s: 'regenerated' },
  },
  {
    rule: 'a changed kind regenerates',
    old: [{ name: 's', kind: 'ascii' }],
    new: [{ name: 's', kind: 'binary' }],
    expect: { s: 'regenerated' },
  },
  {
    rule: 'private-key without migrate regenerates',
    old: [{ name: 'k', kind: 'private-key' }],
    new: [{ name: 'k', kind: 'private-key' }],
    expect: { k: 'regenerated' },
  },
  {
    rule: 'private-key with migrate only in the new file regenerates',
    old: [{ name: 'k', kind: 'private-key' }],
    new: [{ name: 'k', kind: 'private-key', migrate: true }],
    expect: { k: 'regenerated' },
  },
  {
    rule: 'private-key with migrate only in the old file regenerates',
    old: [{ name: 'k', kind: 'private-key', migrate: true }],
    new: [{ name: 'k', kind: 'private-key' }],
    expect: { k: 'regenerated' },
  },
  {
    rule: 'private-key with migrate in both is kept',
    old: [{ name: 'k', kind: 'private-key', migrate: true }],
    new: [{ name: 'k', kind: 'private-key', migrate: true }],
    expect: { k: 'kept' },
  },
  {
    rule: 'private-key with migrate but a new key type regenerates',
    old: [{ name: 'k', kind: 'private-key', migrate: true }],
    new: [{ name: 'k', kind: 'private-key', migrate: true, key_type: 'P-384' }],
    expect: { k: 'regenerated' },
  },
  {
    rule: 'public-key follows a kept key',
    old: [
      { name: 'k', kind: 'private-key', migrate: true },
      { name: 'p', kind: 'public-key', private_key: 'k' },
    ],
    new: [
      { name: 'k', kind: 'private-key', migrate: true },
      { name: 'p', kind: 'public-key', private_key: 'k' },
    ],
    expect: { k: 'kept', p: 'kept' },
  },
  {
    rule: 'public-key follows a regenerated key',
    old: [
      { name: 'k', kind: 'private-key' },
      { name: 'p', kind: 'public-key', private_key: 'k' },
    ],
    new: [
      { name: 'k', kind: 'private-key' },
      { name: 'p', kind: 'public-key', private_key: 'k' },
    ],
    expect: { k: 'regenerated', p: 'regenerated' },
  },
  {
    rule: 'deviation: an unchanged CA and certificate are kept',
    old: [ca, leaf],
    new: [ca, leaf],
    expect: { ca: 'kept', leaf: 'kept' },
  },
  {
    rule: 'a certificate whose parameters changed is re-issued, its CA kept',
    old: [ca, leaf],
    new: [ca, { ...leaf, san: ['dns:b.example'] }],
    expect: { ca: 'kept', leaf: 'regenerated' },
  },
  {
    rule: 'a certificate whose issuer was re-issued is re-issued',
    old: [ca, leaf],
    new: [{ ...ca, common_name: 'New CA' }, leaf],
    expect: { ca: 'regenerated', leaf: 'regenerated' },
  },
  {
    rule: 'a certificate whose issuer is another secret now is re-issued',
    old: [ca, leaf],
    new: [ca, { name: 'ca2', kind: 'x509-ca' }, { ...leaf, issuer: 'ca2' }],
    expect: { ca: 'kept', ca2: 'generated', leaf: 'regenerated' },
  },
  {
    rule: 'a certificate whose private_key secret was regenerated is re-issued',
    old: [
      { name: 'k', kind: 'private-key' },
      { name: 'c', kind: 'x509', private_key: 'k' },
    ],
    new: [
      { name: 'k', kind: 'private-key' },
      { name: 'c', kind: 'x509', private_key: 'k' },
    ],
    expect: { k: 'regenerated', c: 'regenerated' },
  },
  {
    rule: 'a certificate whose migrated private_key is kept is kept',
    old: [
      { name: 'k', kind: 'private-key', migrate: true },
      { name: 'c', kind: 'x509', private_key: 'k' },
    ],
    new: [
      { name: 'k', kind: 'private-key', migrate: true },
      { name: 'c', kind: 'x509', private_key: 'k' },
    ],
    expect: { k: 'kept', c: 'kept' },
  },
  {
    rule: 'explicit values follow the new file',
    old: [{ name: 's', kind: 'ascii', value: 'old' }],
    new: [{ name: 's', kind: 'ascii', value: 'new' }],
    expect: { s: 'explicit' },
  },
  {
    rule: 'a generated value replaced by an explicit one',
    old: [{ name: 's', kind: 'ascii' }],
    new: [{ name: 's', kind: 'ascii', value: 'new' }],
    expect: { s: 'explicit' },
  },
  {
    rule: 'an explicit value dropped from the file is regenerated, not kept',
    old: [{ name: 's', kind: 'ascii', value: 'old' }],
    new: [{ name: 's', kind: 'ascii' }],
    expect: { s: 'regenerated' },
  },
  {
    rule: 'a new secret is generated, a removed one disappears',
    old: [{ name: 'gone', kind: 'ascii' }],
    new: [{ name: 'fresh', kind: 'ascii' }],
    expect: { fresh: 'generated' },
  },
  {
    rule: 'an import follows its exporter',
    old: [{ name: 'i', kind: 'ascii', import: { session: 'o', secret: 's' } }],
    new: [{ name: 'i', kind: 'ascii', import: { session: 'o', secret: 's' } }],
    expect: { i: 'imported' },
  },
  {
    rule: 'a secret that was imported and is now generated is regenerated',
    old: [{ name: 'i', kind: 'ascii', import: { session: 'o', secret: 's' } }],
    new: [{ name: 'i', kind: 'ascii' }],
    expect: { i: 'regenerated' },
  },
];

const imported = new Map([
  ['i', new SecretValue({ kind: 'ascii', origin: 'imported', text: 'from-exporter' })],
]);

for (const row of rows) {
  test(`migration: ${row.rule}`, async () => {
    const before = await generateSecrets(row.old, ports(), { imported });
    const after = await migrateSecrets(
      row.old,
      before.values,
      row.new,
      ports(new Date(NOW.getTime() + 3_600_000)),
      imported,
    );
    assert.deepEqual(Object.fromEntries(after.decisions), row.expect);
    assert.deepEqual([...after.values.keys()].sort(), Object.keys(row.expect).sort());
    for (const [name, decision] of Object.entries(row.expect)) {
      const was = before.values.get(name);
      const now = after.values.get(name)!;
      if (decision === 'kept') assert.equal(now, was, `${name} should be the same value`);
      if (decision === 'regenerated' && was !== undefined) {
        assert.notDeepEqual(now.reveal(), was.reveal(), `${name} should have changed`);
      }
    }
  });
}

test('a kept certificate is byte-identical; a re-issued one verifies against the current CA', async () => {
  const before = await generateSecrets([ca, leaf], ports());
  const kept = await migrateSecrets([ca, leaf], before.values, [ca, leaf], ports());
  assert.equal(
    dataOf(kept.values.get('leaf'), 'x509').certificate_pem,
    dataOf(before.values.get('leaf'), 'x509').certificate_pem,
  );
  const reissued = await migrateSecrets(
    [ca, leaf],
    before.values,
    [{ ...ca, key_type: 'P-384' }, leaf],
    ports(),
  );
  const newCa = new X509Certificate(dataOf(reissued.values.get('ca'), 'x509-ca').certificate_pem);
  assert.ok(
    new X509Certificate(dataOf(reissued.values.get('leaf'), 'x509').certificate_pem).verify(
      newCa.publicKey,
    ),
  );
});

test('renewIfExpired re-issues an expired certificate when next provisioned, and only then', async () => {
  const specs: SecretSpec[] = [ca, { ...leaf, valid_for: 86_400 }, { name: 'pw', kind: 'ascii' }];
  const { values } = await generateSecrets(specs, ports());
  const soon = await renewIfExpired(specs, values, ports(new Date(NOW.getTime() + 3_600_000)));
  assert.deepEqual(soon.renewed, []);
  for (const [name, v] of values) assert.equal(soon.values.get(name), v);

  const later = new Date(NOW.getTime() + 2 * 86_400_000);
  assert.equal(isExpired(values.get('leaf')!, later), true);
  assert.equal(isExpired(values.get('ca')!, later), false);
  assert.equal(isExpired(values.get('pw')!, later), false);
  const renewed = await renewIfExpired(specs, values, ports(later));
  assert.deepEqual(renewed.renewed, ['leaf']);
  assert.equal(renewed.values.get('ca'), values.get('ca'));
  assert.equal(renewed.values.get('pw'), values.get('pw'));
  const fresh = dataOf(renewed.values.get('leaf'), 'x509');
  assert.equal(fresh.not_after, new Date(later.getTime() + 86_400_000).toISOString());
  assert.equal(isExpired(renewed.values.get('leaf')!, later), false);
});

test('an expired CA is renewed together with everything it issued', async () => {
  const specs: SecretSpec[] = [{ ...ca, valid_for: 86_400 }, leaf];
  const { values } = await generateSecrets(specs, ports());
  const renewed = await renewIfExpired(
    specs,
    values,
    ports(new Date(NOW.getTime() + 2 * 86_400_000)),
  );
  assert.deepEqual(renewed.renewed.sort(), ['ca', 'leaf']);
});
