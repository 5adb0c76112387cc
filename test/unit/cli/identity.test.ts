import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { inspect } from 'node:util';
import { test } from 'node:test';
import {
  generateIdentity,
  IDENTITY_COMMON_NAME,
  parseIdentityPem,
} from '../../../src/crypto/identity.js';
import { keyHashOfCertificate } from '../../../src/crypto/key-hash.js';
import { CasError } from '../../../src/errors/cas-error.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof CasError, String(error));
    return error.code;
  }
  assert.fail('expected a CasError');
}

test('a generated identity is a P-256 key with a matching self-signed certificate', async () => {
  const id = await generateIdentity();
  const cert = new X509Certificate(id.certPem);
  assert.equal(cert.subject, `CN=${IDENTITY_COMMON_NAME}`);
  assert.equal(cert.issuer, cert.subject);
  assert.equal(cert.subjectAltName, 'DNS:scone cli');
  assert.ok(cert.verify(cert.publicKey));
  assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.ok(new Date(cert.validTo).getUTCFullYear() >= 4096);
  assert.equal(id.keyHash, keyHashOfCertificate(cert));
  assert.match(id.toPem(), /^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----BEGIN CERTIFICATE-----/);
  const again = parseIdentityPem(id.toPem());
  assert.equal(again.keyHash, id.keyHash);
  assert.notEqual((await generateIdentity()).keyHash, id.keyHash);
});

test('the private key never shows in JSON or inspect output', async () => {
  const id = await generateIdentity();
  const body = id.keyPem().split('\n')[1]!;
  assert.ok(!JSON.stringify(id).includes(body));
  assert.ok(!inspect(id, { depth: 5 }).includes(body));
  assert.ok(!JSON.stringify(id).includes('PRIVATE KEY'));
});

test('malformed identity files are refused with a code', async () => {
  const id = await generateIdentity();
  const other = await generateIdentity();
  const keyOnly = id.keyPem();
  const sec1 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'sec1', format: 'pem' })
    .toString();
  const cases = [
    { name: 'empty', text: '', code: 'CAS_CLI_IDENTITY_INVALID' },
    { name: 'certificate only', text: id.certPem, code: 'CAS_CLI_IDENTITY_INVALID' },
    { name: 'key only', text: keyOnly, code: 'CAS_CLI_IDENTITY_INVALID' },
    { name: 'two keys', text: keyOnly + other.toPem(), code: 'CAS_CLI_IDENTITY_INVALID' },
    { name: 'SEC1 key', text: sec1 + id.certPem, code: 'CAS_CLI_IDENTITY_INVALID' },
    {
      name: 'garbled key',
      text: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' + id.certPem,
      code: 'CAS_CLI_IDENTITY_INVALID',
    },
    {
      name: 'garbled certificate',
      text: keyOnly + '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      code: 'CAS_CLI_IDENTITY_INVALID',
    },
    {
      name: 'key of another cert',
      text: keyOnly + other.certPem,
      code: 'CAS_CLI_IDENTITY_MISMATCH',
    },
  ];
  for (const c of cases)
    assert.equal(
      code(() => parseIdentityPem(c.text)),
      c.code,
      c.name,
    );
});

test('the certificate may come first; a key error never quotes the key', async () => {
  const id = await generateIdentity();
  assert.equal(parseIdentityPem(id.certPem + id.keyPem()).keyHash, id.keyHash);
  const body = id.keyPem().split('\n')[1]!;
  try {
    parseIdentityPem(id.keyPem() + (await generateIdentity()).certPem);
    assert.fail('expected a mismatch');
  } catch (error) {
    assert.ok(error instanceof CasError);
    assert.equal(error.code, 'CAS_CLI_IDENTITY_MISMATCH');
    assert.ok(!error.message.includes(body));
  }
});
