import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPublicKey, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { x509 } from '../../../src/crypto/x509.js';
import type { KeyType } from '../../../src/policy/types.js';
import { issueCertificate, type IssueRequest } from '../../../src/secrets/issue-certificate.js';
import { generatePrivateKey } from '../../../src/secrets/key-material.js';
import { toWebKeys } from './peculiar-issue.js';
import { rejectsWithCode } from './fixtures.js';
import { peculiarIssue } from './peculiar-issue.js';

const KEY_TYPES: KeyType[] = ['P-256', 'P-384', 'Ed25519', 'RSA-2048', 'RSA-3072'];
const NOT_BEFORE = new Date('2026-06-01T11:55:00.000Z');
const NOT_AFTER = new Date('2027-06-01T12:00:00.000Z');
const F = x509.KeyUsageFlags;

function caRequest(key: KeyObject, over: Partial<IssueRequest> = {}): IssueRequest {
  return {
    name: 'ca',
    ca: true,
    subjectKey: key,
    commonName: 'Test CA é',
    san: [],
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    serialHex: '4a01',
    ...over,
  };
}

function leafRequest(
  key: KeyObject,
  ca: string,
  caKey: KeyObject,
  over: Partial<IssueRequest> = {},
) {
  return caRequest(key, {
    name: 'leaf',
    ca: false,
    commonName: 'leaf.example',
    san: ['dns:leaf.example', 'ip:192.0.2.7', 'ip:2001:db8::1'],
    serialHex: '5b02',
    issuer: { certificatePem: ca, privateKey: caKey },
    ...over,
  });
}

function ext<T extends x509.Extension>(pem: string, type: new (raw: ArrayBuffer) => T): T | null {
  return new x509.X509Certificate(pem).getExtension<T>(type);
}

/** The TBSCertificate of a PEM as hex (the part that does not depend on signature randomness). */
function tbsHex(pem: string): string {
  const raw = new X509Certificate(pem).raw;
  const at = raw[1]! & 0x80 ? 2 + (raw[1]! & 0x7f) : 2;
  const n = raw[at + 1]! & 0x80 ? raw[at + 1]! & 0x7f : 0;
  const len =
    n === 0 ? raw[at + 1]! : raw.subarray(at + 2, at + 2 + n).reduce((a, b) => a * 256 + b, 0);
  return raw.subarray(at, at + 2 + n + len).toString('hex');
}

/** The serial INTEGER's content bytes as hex (the element after the [0] version). */
function serialDerHex(pem: string): string {
  const tbs = Buffer.from(tbsHex(pem), 'hex');
  const at = (tbs[1]! & 0x80 ? 2 + (tbs[1]! & 0x7f) : 2) + 5;
  assert.equal(tbs[at], 0x02);
  return tbs.subarray(at + 2, at + 2 + tbs[at + 1]!).toString('hex');
}

/** `openssl verify` of a leaf against a CA file; undefined (and a skip) without openssl. */
function opensslVerify(t: TestContext, caPem: string, leafPem: string): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    t.skip('skipped: openssl is not on PATH');
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'cas-issue-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), caPem);
    writeFileSync(join(dir, 'leaf.pem'), leafPem);
    const at = String(Math.floor(NOT_BEFORE.getTime() / 1000) + 3600);
    return execFileSync(
      'openssl',
      ['verify', '-attime', at, '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem')],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const keys = new Map<KeyType, [KeyObject, KeyObject]>();
async function keyPair(keyType: KeyType): Promise<[KeyObject, KeyObject]> {
  let pair = keys.get(keyType);
  if (pair === undefined) {
    pair = [await generatePrivateKey(keyType), await generatePrivateKey(keyType)];
    keys.set(keyType, pair);
  }
  return pair;
}

for (const keyType of KEY_TYPES) {
  test(`${keyType}: self-signed CA and issued leaf parse, verify, chain, and carry what was asked`, async (t) => {
    const [caKey, leafKey] = await keyPair(keyType);
    const ca = await issueCertificate(caRequest(caKey));
    const leaf = await issueCertificate(leafRequest(leafKey, ca, caKey, { endpoint: 'server' }));
    assert.match(
      ca,
      /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/,
    );

    const caCert = new X509Certificate(ca);
    const leafCert = new X509Certificate(leaf);
    assert.ok(caCert.verify(caCert.publicKey));
    assert.ok(caCert.checkIssued(caCert));
    assert.ok(leafCert.verify(caCert.publicKey));
    assert.ok(leafCert.checkIssued(caCert));
    assert.ok(!leafCert.verify(leafCert.publicKey));
    assert.equal(caCert.ca, true);
    assert.equal(leafCert.ca, false);
    assert.equal(caCert.subject, 'CN=Test CA é');
    assert.equal(leafCert.issuer, 'CN=Test CA é');
    assert.equal(leafCert.subject, 'CN=leaf.example');
    assert.equal(leafCert.serialNumber, '5B02');
    assert.equal(new Date(leafCert.validFrom).getTime(), NOT_BEFORE.getTime());
    assert.equal(new Date(leafCert.validTo).getTime(), NOT_AFTER.getTime());
    assert.equal(
      leafCert.subjectAltName,
      'DNS:leaf.example, IP Address:192.0.2.7, IP Address:2001:DB8:0:0:0:0:0:1',
    );
    assert.ok(leafCert.publicKey.equals(createPublicKey(leafKey)));

    const pLeaf = new x509.X509Certificate(leaf);
    assert.ok(
      await pLeaf.verify(
        { publicKey: new x509.X509Certificate(ca), signatureOnly: true },
        webcrypto,
      ),
    );
    const bc = ext(leaf, x509.BasicConstraintsExtension)!;
    assert.deepEqual([bc.ca, bc.critical], [false, true]);
    assert.equal(ext(ca, x509.BasicConstraintsExtension)!.ca, true);
    const ku = ext(leaf, x509.KeyUsagesExtension)!;
    assert.equal(ku.critical, true);
    assert.equal(
      ku.usages,
      keyType.startsWith('RSA') ? F.digitalSignature | F.keyEncipherment : F.digitalSignature,
    );
    assert.equal(
      ext(ca, x509.KeyUsagesExtension)!.usages,
      F.keyCertSign | F.cRLSign | F.digitalSignature,
    );
    const caSki = ext(ca, x509.SubjectKeyIdentifierExtension)!.keyId;
    assert.equal(ext(ca, x509.AuthorityKeyIdentifierExtension)!.keyId, caSki);
    assert.equal(ext(leaf, x509.AuthorityKeyIdentifierExtension)!.keyId, caSki);
    assert.deepEqual(Array.from(ext(leaf, x509.ExtendedKeyUsageExtension)!.usages, String), [
      x509.ExtendedKeyUsage.serverAuth,
    ]);
    assert.equal(ext(ca, x509.ExtendedKeyUsageExtension), null);
    assert.equal(ext(ca, x509.SubjectAlternativeNameExtension), null);

    const out = opensslVerify(t, ca, leaf);
    if (out !== undefined) assert.match(out, /leaf\.pem: OK/);
  });

  test(`${keyType}: the same TBSCertificate as @peculiar/x509 produced, and chains to its CAs`, async (t) => {
    const [caKey, leafKey] = await keyPair(keyType);
    const oldCa = await peculiarIssue(
      caRequest(caKey, { notAfter: new Date('2060-01-01T00:00:00Z') }),
    );
    assert.equal(
      tbsHex(
        await issueCertificate(caRequest(caKey, { notAfter: new Date('2060-01-01T00:00:00Z') })),
      ),
      tbsHex(oldCa),
    );
    const endpoints: Partial<IssueRequest>[] = [{ endpoint: 'server' }, { endpoint: 'client' }, {}];
    for (const over of endpoints) {
      const r = leafRequest(leafKey, oldCa, caKey, over);
      const leaf = await issueCertificate(r);
      assert.equal(tbsHex(leaf), tbsHex(await peculiarIssue(r)));
      // Ed25519 and RSA PKCS#1 v1.5 signatures are deterministic: the whole certificate matches.
      if (keyType === 'Ed25519' || keyType.startsWith('RSA'))
        assert.equal(leaf, await peculiarIssue(r));
    }
    const leaf = await issueCertificate(leafRequest(leafKey, oldCa, caKey));
    assert.equal(
      ext(leaf, x509.AuthorityKeyIdentifierExtension)!.keyId,
      ext(oldCa, x509.SubjectKeyIdentifierExtension)!.keyId,
    );
    const out = opensslVerify(t, oldCa, leaf);
    if (out !== undefined) assert.match(out, /leaf\.pem: OK/);
  });
}

test('an issuer without a SKI: its Name is copied byte for byte, the AKI is computed from its key', async (t) => {
  const [caKey, leafKey] = await keyPair('P-256');
  const web = await toWebKeys(caKey);
  const ca = (
    await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: '01',
        name: [{ C: ['DE'] }, { O: ['Örg (test)'] }, { CN: ['Root'] }],
        notBefore: NOT_BEFORE,
        notAfter: NOT_AFTER,
        keys: { privateKey: web.privateKey, publicKey: web.publicKey },
        signingAlgorithm: web.signAlg,
        extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
      },
      webcrypto,
    )
  ).toString('pem');
  assert.equal(ext(ca, x509.SubjectKeyIdentifierExtension), null);
  const leaf = await issueCertificate(leafRequest(leafKey, ca, caKey));
  const caCert = new X509Certificate(ca);
  const leafCert = new X509Certificate(leaf);
  assert.equal(leafCert.issuer, caCert.subject);
  assert.ok(leafCert.checkIssued(caCert));
  assert.ok(leafCert.verify(caCert.publicKey));
  assert.ok(
    tbsHex(leaf).includes(
      Buffer.from(new x509.X509Certificate(ca).subjectName.toArrayBuffer()).toString('hex'),
    ),
  );
  const computed = await x509.SubjectKeyIdentifierExtension.create(web.publicKey, false, webcrypto);
  assert.equal(ext(leaf, x509.AuthorityKeyIdentifierExtension)!.keyId, computed.keyId);
  assert.equal(tbsHex(leaf), tbsHex(await peculiarIssue(leafRequest(leafKey, ca, caKey))));
  const out = opensslVerify(t, ca, leaf);
  if (out !== undefined) assert.match(out, /leaf\.pem: OK/);
});

test('a malformed issuer certificate is refused', async () => {
  const [caKey, leafKey] = await keyPair('P-256');
  const ca = await issueCertificate(caRequest(caKey));
  // A whole base64 line less: the DER lengths run past the end.
  const lines = ca.split('\n');
  const truncated = [...lines.slice(0, 2), ...lines.slice(3)].join('\n');
  for (const certificatePem of ['', 'not a pem', truncated]) {
    await assert.rejects(
      issueCertificate(
        leafRequest(leafKey, ca, caKey, { issuer: { certificatePem, privateKey: caKey } }),
      ),
      RangeError,
    );
  }
});

test('serials are positive DER INTEGERs: 0x00 before a high bit, redundant zeros stripped', async () => {
  const [key] = await keyPair('P-256');
  const cases: [string, string][] = [
    ['4a01', '4a01'],
    ['ff01', '00ff01'],
    ['00ff01', '00ff01'],
    ['0000ab', '00ab'],
    ['00007f', '7f'],
    ['0080', '0080'],
    ['abc', '0abc'],
    ['c0' + '11'.repeat(19), '00c0' + '11'.repeat(19)],
  ];
  for (const [serialHex, der] of cases) {
    const pem = await issueCertificate(caRequest(key, { serialHex }));
    assert.equal(serialDerHex(pem), der, serialHex);
    assert.equal(
      serialDerHex(pem),
      serialDerHex(await peculiarIssue(caRequest(key, { serialHex }))),
    );
  }
  for (const serialHex of ['', '00', 'xyz', '-1']) {
    await assert.rejects(issueCertificate(caRequest(key, { serialHex })), RangeError, serialHex);
  }
});

test('validity: UTCTime up to 2049, GeneralizedTime from 2050, to the second', async () => {
  const [key] = await keyPair('P-256');
  const cases: [string, string, string][] = [
    ['2049-12-31T23:59:59.999Z', '170d', '3439313233313233353935395a'],
    ['2050-01-01T00:00:00.000Z', '180f', '32303530303130313030303030305a'],
  ];
  for (const [iso, head, body] of cases) {
    const pem = await issueCertificate(caRequest(key, { notAfter: new Date(iso) }));
    assert.ok(tbsHex(pem).includes(head + body), iso);
    assert.equal(
      new X509Certificate(pem).validTo,
      iso.startsWith('2049') ? 'Dec 31 23:59:59 2049 GMT' : 'Jan  1 00:00:00 2050 GMT',
    );
    assert.equal(
      tbsHex(pem),
      tbsHex(await peculiarIssue(caRequest(key, { notAfter: new Date(iso) }))),
    );
  }
});

test('SAN: IPv4, IPv6 with :: and embedded IPv4, DNS wildcards', async () => {
  const [caKey, leafKey] = await keyPair('P-256');
  const ca = await issueCertificate(caRequest(caKey));
  const san = [
    'ip:10.0.0.1',
    'ip:::1',
    'ip:2001:db8::1',
    'ip:::ffff:192.0.2.1',
    'ip:1:2:3:4:5:6:7:8',
    'dns:*.svc.local',
    'dns:a_b.example.',
  ];
  const leaf = await issueCertificate(leafRequest(leafKey, ca, caKey, { san }));
  assert.equal(
    new X509Certificate(leaf).subjectAltName,
    'IP Address:10.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:2001:DB8:0:0:0:0:0:1, ' +
      'IP Address:0:0:0:0:0:FFFF:C000:201, IP Address:1:2:3:4:5:6:7:8, DNS:*.svc.local, DNS:a_b.example.',
  );
});

test('invalid SAN entries are refused with CAS_SECRETS_INVALID_PARAMS, the first wrong form named', async () => {
  const [caKey] = await keyPair('P-256');
  const form = 'must be dns:<name> or ip:<address>';
  const address = 'a SAN IP address is not a valid IPv4 or IPv6 address';
  const cases: [string[], string][] = [
    [['uri:https://x'], `SAN entry 'uri:https://x' ${form}`],
    [['localhost'], form],
    [['dns:bad name'], form],
    [['ip:256.1.1.1'], form],
    [['ip:10.0.0'], form],
    [['ip:fe80::1%eth0'], form],
    [['ip:10.0.0.0/8'], form],
    [['ip:1:2:3'], address],
    [['ip:1::2::3'], address],
    [['ip:1:2:3:4:5:6:7:8:9'], address],
    [['ip:1:2:3:4:5:6:7::8'], address],
    [['ip:12345::'], address],
    [['ip:1.2.3.4::'], address],
    [['ip:::1.2.3'], address],
    [['ip:1:2::3', 'ip:1:2:3', 'dns:ok', 'ip:x'], `SAN entry 'ip:x' ${form}`],
  ];
  for (const [san, message] of cases) {
    await rejectsWithCode(
      () => issueCertificate(caRequest(caKey, { ca: false, san })),
      'CAS_SECRETS_INVALID_PARAMS',
      message,
    );
  }
});

test('the CN is written literally: no quote stripping, unescaping or #hex as @peculiar/x509 did', async () => {
  const [key] = await keyPair('Ed25519');
  const cases: [string, number][] = [
    ['say "hi" now', 0x0c],
    ['a\\b', 0x0c],
    ['#41', 0x0c],
    ['x\\0ay', 0x0c],
    ["Alice, O=Evil (it's me)", 0x13],
    ['名前', 0x0c],
  ];
  for (const [commonName, tag] of cases) {
    const pem = await issueCertificate(caRequest(key, { commonName }));
    assert.deepEqual(new x509.X509Certificate(pem).subjectName.getField('CN'), [commonName]);
    const value = Buffer.from(commonName, 'utf8');
    const attribute = Buffer.concat([
      Buffer.from([0x06, 0x03, 0x55, 0x04, 0x03, tag, value.length]),
      value,
    ]);
    assert.ok(tbsHex(pem).includes(attribute.toString('hex')), commonName);
  }
});

test('property: random CN, DNS SANs and serial round-trip through a verifying certificate', async () => {
  const [caKey, leafKey] = await keyPair('P-256');
  const ca = await issueCertificate(caRequest(caKey));
  const caCert = new X509Certificate(ca);
  const label = fc.stringMatching(/^[a-z0-9_][a-z0-9_-]{0,20}$/);
  const dns = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));
  const cn = fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 64 })
    .filter((s) => ![...s].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\x7f'));
  const serial = fc
    .uint8Array({ minLength: 1, maxLength: 20 })
    .filter((b) => b.some((x) => x !== 0));
  await fc.assert(
    fc.asyncProperty(cn, fc.array(dns, { maxLength: 5 }), serial, async (commonName, names, s) => {
      const serialHex = Buffer.from(s).toString('hex');
      const pem = await issueCertificate(
        leafRequest(leafKey, ca, caKey, {
          commonName,
          san: names.map((n) => `dns:${n}`),
          serialHex,
        }),
      );
      const cert = new X509Certificate(pem);
      assert.ok(cert.verify(caCert.publicKey));
      const parsed = new x509.X509Certificate(pem);
      assert.deepEqual(parsed.subjectName.getField('CN'), [commonName]);
      assert.equal(BigInt(`0x${parsed.serialNumber}`), BigInt(`0x${serialHex}`));
      const got = ext(pem, x509.SubjectAlternativeNameExtension)?.names.toJSON() ?? [];
      assert.deepEqual(
        got,
        names.map((value) => ({ type: 'dns', value })),
      );
    }),
    { numRuns: 150 },
  );
});
