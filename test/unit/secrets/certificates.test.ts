import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, webcrypto, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { x509 } from '../../../src/crypto/x509.js';
import type { KeyType, SecretSpec } from '../../../src/policy/types.js';
import { generateSecret } from '../../../src/secrets/generate-secret.js';
import { generateSecrets } from '../../../src/secrets/generate-secrets.js';
import { importedValue } from '../../../src/secrets/imported-value.js';
import { context, dataOf, generateAll, NOW, ports, rejectsWithCode } from './fixtures.js';

const DAY = 86_400_000;

function ext<T extends x509.Extension>(pem: string, type: new (raw: ArrayBuffer) => T): T | null {
  return new x509.X509Certificate(pem).getExtension<T>(type);
}

test('x509-ca: self-signed CA with CA:TRUE, keyCertSign|cRLSign, SKI = AKI, 10-year default', async () => {
  const ca = dataOf(await generateSecret({ name: 'root', kind: 'x509-ca' }, context()), 'x509-ca');
  const cert = new X509Certificate(ca.certificate_pem);
  assert.equal(cert.ca, true);
  assert.equal(cert.subject, 'CN=root');
  assert.equal(cert.issuer, 'CN=root');
  assert.ok(cert.verify(cert.publicKey));
  const bc = ext(ca.certificate_pem, x509.BasicConstraintsExtension)!;
  assert.equal(bc.ca, true);
  assert.equal(bc.critical, true);
  const ku = ext(ca.certificate_pem, x509.KeyUsagesExtension)!;
  assert.ok(ku.usages & x509.KeyUsageFlags.keyCertSign);
  assert.ok(ku.usages & x509.KeyUsageFlags.cRLSign);
  const ski = ext(ca.certificate_pem, x509.SubjectKeyIdentifierExtension)!;
  const aki = ext(ca.certificate_pem, x509.AuthorityKeyIdentifierExtension)!;
  assert.equal(aki.keyId, ski.keyId);
  assert.equal(ext(ca.certificate_pem, x509.ExtendedKeyUsageExtension), null);
  assert.equal(
    new Date(cert.validTo).getTime(),
    NOW.getTime() + 3650 * DAY - (NOW.getTime() % 1000),
  );
  assert.deepEqual(ca.chain_pem, []);
  assert.equal(ca.issuer_sha256, null);
  assert.equal(ca.not_after, new Date(NOW.getTime() + 3650 * DAY).toISOString());
});

test('x509 issued by a CA: CA:FALSE, EKU by endpoint, SANs, CN rule, validity, AKI = CA SKI', async () => {
  const specs: SecretSpec[] = [
    { name: 'ca', kind: 'x509-ca' },
    {
      name: 'server',
      kind: 'x509',
      issuer: 'ca',
      endpoint: 'server',
      san: ['dns:db.example.com', 'ip:10.0.0.7', 'ip:::1'],
      valid_for: 3 * 86_400,
    },
    {
      name: 'client',
      kind: 'x509',
      issuer: 'ca',
      endpoint: 'client',
      common_name: 'Alice, O=Evil',
    },
    { name: 'both', kind: 'x509', issuer: 'ca' },
  ];
  const values = await generateAll(specs);
  const ca = dataOf(values.get('ca'), 'x509-ca');
  const server = dataOf(values.get('server'), 'x509');
  const caCert = new X509Certificate(ca.certificate_pem);
  const cert = new X509Certificate(server.certificate_pem);
  assert.equal(cert.ca, false);
  assert.ok(cert.verify(caCert.publicKey));
  assert.ok(cert.checkIssued(caCert));
  assert.equal(cert.subject, 'CN=db.example.com');
  assert.equal(
    cert.subjectAltName,
    'DNS:db.example.com, IP Address:10.0.0.7, IP Address:0:0:0:0:0:0:0:1',
  );
  assert.equal(server.not_after, new Date(NOW.getTime() + 3 * DAY).toISOString());
  assert.equal(server.not_before, new Date(NOW.getTime() - 300_000).toISOString());
  assert.deepEqual(server.chain_pem, [ca.certificate_pem]);
  assert.deepEqual(
    Array.from(ext(server.certificate_pem, x509.ExtendedKeyUsageExtension)!.usages, String),
    [x509.ExtendedKeyUsage.serverAuth],
  );
  assert.equal(ext(server.certificate_pem, x509.BasicConstraintsExtension)!.ca, false);
  assert.equal(
    ext(server.certificate_pem, x509.AuthorityKeyIdentifierExtension)!.keyId,
    ext(ca.certificate_pem, x509.SubjectKeyIdentifierExtension)!.keyId,
  );
  assert.ok(cert.checkPrivateKey(createPrivateKey(server.private_key_pem!)));
  // 90-day default, serials differ and are positive 16-byte numbers.
  const both = dataOf(values.get('both'), 'x509');
  assert.equal(both.not_after, new Date(NOW.getTime() + 90 * DAY).toISOString());
  assert.deepEqual(
    Array.from(ext(both.certificate_pem, x509.ExtendedKeyUsageExtension)!.usages, String),
    [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
  );
  assert.equal(new X509Certificate(both.certificate_pem).subject, 'CN=both');
  assert.notEqual(new X509Certificate(both.certificate_pem).serialNumber, cert.serialNumber);
  assert.match(cert.serialNumber, /^[4-7][0-9A-F]{31}$/);
  const client = dataOf(values.get('client'), 'x509');
  assert.deepEqual(
    Array.from(ext(client.certificate_pem, x509.ExtendedKeyUsageExtension)!.usages, String),
    [x509.ExtendedKeyUsage.clientAuth],
  );
  // A comma in the common name stays inside the one CN attribute.
  const name = new x509.X509Certificate(client.certificate_pem).subjectName.toJSON();
  assert.deepEqual(name, [{ CN: ['Alice, O=Evil'] }]);
});

const keyTypes: KeyType[] = ['P-256', 'P-384', 'Ed25519', 'RSA-2048', 'RSA-3072'];
for (const keyType of keyTypes) {
  test(`certificates with ${keyType} keys verify with node and with openssl verify`, async (t) => {
    const values = await generateAll([
      { name: 'root', kind: 'x509-ca', key_type: keyType },
      {
        name: 'inter',
        kind: 'x509-ca',
        issuer: 'root',
        key_type: keyType === 'P-256' ? 'P-384' : 'P-256',
      },
      {
        name: 'leaf',
        kind: 'x509',
        issuer: 'inter',
        key_type: keyType,
        san: ['dns:localhost'],
        endpoint: 'server',
      },
    ]);
    const root = dataOf(values.get('root'), 'x509-ca');
    const inter = dataOf(values.get('inter'), 'x509-ca');
    const leaf = dataOf(values.get('leaf'), 'x509');
    assert.equal(leaf.key_type, keyType);
    assert.deepEqual(leaf.chain_pem, [inter.certificate_pem, root.certificate_pem]);
    assert.deepEqual(inter.chain_pem, [root.certificate_pem]);
    const leafCert = new X509Certificate(leaf.certificate_pem);
    const interCert = new X509Certificate(inter.certificate_pem);
    assert.ok(leafCert.verify(interCert.publicKey));
    assert.ok(interCert.verify(new X509Certificate(root.certificate_pem).publicKey));
    assert.ok(
      await new x509.X509Certificate(leaf.certificate_pem).verify(
        { publicKey: new x509.X509Certificate(inter.certificate_pem), signatureOnly: true },
        webcrypto,
      ),
    );

    const probe = spawnSync('openssl', ['version']);
    if (probe.error !== undefined || probe.status !== 0) {
      t.skip('skipped: openssl is not on PATH');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'cas-secrets-'));
    try {
      writeFileSync(join(dir, 'root.pem'), root.certificate_pem);
      writeFileSync(join(dir, 'inter.pem'), inter.certificate_pem);
      writeFileSync(join(dir, 'leaf.pem'), leaf.certificate_pem);
      // The certificates are issued at the fixed test clock, so verify at that time.
      const at = String(Math.floor(NOW.getTime() / 1000));
      const r = spawnSync(
        'openssl',
        [
          'verify',
          '-attime',
          at,
          '-purpose',
          'sslserver',
          '-CAfile',
          join(dir, 'root.pem'),
          '-untrusted',
          join(dir, 'inter.pem'),
          join(dir, 'leaf.pem'),
        ],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr + r.stdout);
      assert.match(r.stdout, /leaf\.pem: OK/);
      // And a leaf verified against the wrong root fails.
      const other = dataOf(
        await generateSecret({ name: 'other', kind: 'x509-ca' }, context()),
        'x509-ca',
      );
      writeFileSync(join(dir, 'other.pem'), other.certificate_pem);
      const bad = spawnSync(
        'openssl',
        [
          'verify',
          '-attime',
          at,
          '-CAfile',
          join(dir, 'other.pem'),
          '-untrusted',
          join(dir, 'inter.pem'),
          join(dir, 'leaf.pem'),
        ],
        { encoding: 'utf8' },
      );
      assert.notEqual(bad.status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a certificate uses its private_key secret; a self-signed x509 has no chain', async () => {
  const values = await generateAll([
    { name: 'key', kind: 'private-key', key_type: 'P-384' },
    { name: 'self', kind: 'x509', private_key: 'key', common_name: 'me' },
  ]);
  const key = dataOf(values.get('key'), 'private-key');
  const self = dataOf(values.get('self'), 'x509');
  const cert = new X509Certificate(self.certificate_pem);
  assert.ok(cert.checkPrivateKey(createPrivateKey(key.pkcs8_pem)));
  assert.equal(self.spki_sha256, key.spki_sha256);
  assert.equal(cert.issuer, 'CN=me');
  assert.equal(cert.ca, false);
  assert.deepEqual(self.chain_pem, []);
  assert.equal(self.issuer_sha256, null);
});

test('a derived common name is cut to 64 characters; the SAN keeps the full name', async () => {
  const long = `${'a'.repeat(60)}.example.com`;
  const values = await generateAll([
    { name: 'c', kind: 'x509', san: [`dns:${long}`] },
    { name: 'n'.repeat(100), kind: 'x509' },
    { name: 'u', kind: 'x509', common_name: 'Ünïcødé 🚀' },
  ]);
  const c = new X509Certificate(dataOf(values.get('c'), 'x509').certificate_pem);
  assert.equal(c.subject, `CN=${long.slice(0, 64)}`);
  assert.equal(c.subjectAltName, `DNS:${long}`);
  const n = new X509Certificate(dataOf(values.get('n'.repeat(100)), 'x509').certificate_pem);
  assert.equal(n.subject, `CN=${'n'.repeat(64)}`);
  const u = new X509Certificate(dataOf(values.get('u'), 'x509').certificate_pem);
  assert.equal(u.subject, 'CN=Ünïcødé 🚀');
});

test('a leaf never outlives its issuer', async () => {
  const values = await generateAll([
    { name: 'ca', kind: 'x509-ca', valid_for: 86_400 },
    { name: 'leaf', kind: 'x509', issuer: 'ca', valid_for: 30 * 86_400 },
  ]);
  assert.equal(
    dataOf(values.get('leaf'), 'x509').not_after,
    dataOf(values.get('ca'), 'x509-ca').not_after,
  );
});

test('bad certificate parameters and references are refused with codes', async () => {
  const cases: [SecretSpec[], string, string?][] = [
    [[{ name: 'c', kind: 'x509', san: ['uri:http://x'] }], 'CAS_SECRETS_INVALID_PARAMS', 'SAN'],
    [[{ name: 'c', kind: 'x509', san: ['ip:999.1.1.1'] }], 'CAS_SECRETS_INVALID_PARAMS'],
    [[{ name: 'c', kind: 'x509', san: ['ip:1:2:3'] }], 'CAS_SECRETS_INVALID_PARAMS', 'IPv6'],
    [[{ name: 'c', kind: 'x509', san: ['ip:1::2::3'] }], 'CAS_SECRETS_INVALID_PARAMS'],
    [[{ name: 'c', kind: 'x509', san: ['ip:fe80::1%eth0'] }], 'CAS_SECRETS_INVALID_PARAMS'],
    [[{ name: 'c', kind: 'x509', san: ['dns:bad name'] }], 'CAS_SECRETS_INVALID_PARAMS'],
    [[{ name: 'c', kind: 'x509', valid_for: 0 }], 'CAS_SECRETS_INVALID_PARAMS', 'valid_for'],
    [[{ name: 'c', kind: 'x509', common_name: '' }], 'CAS_SECRETS_INVALID_PARAMS', 'common_name'],
    [[{ name: 'c', kind: 'x509', common_name: 'x'.repeat(65) }], 'CAS_SECRETS_INVALID_PARAMS'],
    [[{ name: 'c', kind: 'x509', common_name: 'a\nb' }], 'CAS_SECRETS_INVALID_PARAMS'],
    [[{ name: 'c', kind: 'x509-ca', valid_for: 1e12 }], 'CAS_SECRETS_INVALID_PARAMS'],
    [[{ name: 'c', kind: 'x509', issuer: 'missing' }], 'CAS_SECRETS_BAD_REFERENCE', 'missing'],
    [
      [
        { name: 'p', kind: 'ascii' },
        { name: 'c', kind: 'x509', private_key: 'p' },
      ],
      'CAS_SECRETS_BAD_REFERENCE',
      'ascii',
    ],
    [
      [
        { name: 'i', kind: 'x509' },
        { name: 'c', kind: 'x509', issuer: 'i' },
      ],
      'CAS_SECRETS_BAD_REFERENCE',
      'x509-ca',
    ],
  ];
  for (const [specs, code, text] of cases) {
    await rejectsWithCode(() => generateSecrets(specs, ports()), code, text);
  }
});

test('an issuer without its private key (imported alone) cannot issue', async () => {
  const ca = await generateSecret({ name: 'ca', kind: 'x509-ca' }, context());
  const keyless = importedValue(ca, false);
  assert.equal(dataOf(keyless, 'x509-ca').private_key_pem, undefined);
  assert.equal(keyless.origin, 'imported');
  await rejectsWithCode(
    () =>
      generateSecret(
        { name: 'leaf', kind: 'x509', issuer: 'ca' },
        context(new Map([['ca', keyless]])),
      ),
    'CAS_SECRETS_BAD_REFERENCE',
    'no private key',
  );
});

test('explicit certificate values: parsed, key must match, issuer must have signed it', async () => {
  const values = await generateAll([
    { name: 'ca', kind: 'x509-ca' },
    { name: 'leaf', kind: 'x509', issuer: 'ca' },
    { name: 'k', kind: 'private-key' },
    { name: 'ca2', kind: 'x509-ca' },
  ]);
  const ca = dataOf(values.get('ca'), 'x509-ca');
  const leaf = dataOf(values.get('leaf'), 'x509');
  const gen = (spec: SecretSpec) => generateSecret(spec, context(values));

  const withKey = dataOf(
    await gen({
      name: 'e',
      kind: 'x509',
      value: leaf.certificate_pem + leaf.private_key_pem! + ca.certificate_pem,
    }),
    'x509',
  );
  assert.equal(withKey.origin, 'explicit');
  assert.equal(withKey.private_key_pem, leaf.private_key_pem);
  assert.deepEqual(withKey.chain_pem, [ca.certificate_pem]);
  assert.equal(withKey.not_after, leaf.not_after.replace(/\.\d{3}Z$/, '.000Z'));

  const viaIssuer = dataOf(
    await gen({ name: 'e', kind: 'x509', value: leaf.certificate_pem, issuer: 'ca' }),
    'x509',
  );
  assert.deepEqual(viaIssuer.chain_pem, [ca.certificate_pem]);
  assert.equal(viaIssuer.private_key_pem, undefined);

  const caOnly = dataOf(
    await gen({ name: 'e', kind: 'x509-ca', value: ca.certificate_pem + ca.private_key_pem! }),
    'x509-ca',
  );
  assert.equal(caOnly.issuer_sha256, null);

  await rejectsWithCode(
    () => gen({ name: 'e', kind: 'x509', value: leaf.certificate_pem, private_key: 'k' }),
    'CAS_SECRETS_INVALID_VALUE',
    'does not match',
  );
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  await rejectsWithCode(
    () => gen({ name: 'e', kind: 'x509', value: leaf.certificate_pem + other }),
    'CAS_SECRETS_INVALID_VALUE',
    'does not match',
  );
  await rejectsWithCode(
    () => gen({ name: 'e', kind: 'x509-ca', value: leaf.certificate_pem }),
    'CAS_SECRETS_INVALID_VALUE',
    'CA certificate',
  );
  await rejectsWithCode(
    () => gen({ name: 'e', kind: 'x509', value: leaf.certificate_pem, issuer: 'ca2' }),
    'CAS_SECRETS_INVALID_VALUE',
  );
  await rejectsWithCode(
    () => gen({ name: 'e', kind: 'x509', value: leaf.certificate_pem, issuer: 'leaf' }),
    'CAS_SECRETS_BAD_REFERENCE',
  );
  await rejectsWithCode(
    () => gen({ name: 'e', kind: 'x509', value: 'no pem here' }),
    'CAS_SECRETS_INVALID_VALUE',
    'no PEM CERTIFICATE',
  );
  await rejectsWithCode(
    () =>
      gen({
        name: 'e',
        kind: 'x509',
        value: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      }),
    'CAS_SECRETS_INVALID_VALUE',
    'does not parse',
  );
  await rejectsWithCode(
    () => gen({ name: 'e', kind: 'x509', value: 7 }),
    'CAS_SECRETS_INVALID_VALUE',
  );
});
