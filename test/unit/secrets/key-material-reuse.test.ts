import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import type { SecretSpec } from '../../../src/policy/types.js';
import { certificateSha256 } from '../../../src/secrets/generate-certificate.js';
import { sha256Hex, spkiSha256 } from '../../../src/secrets/key-material.js';
import { dataOf, generateAll } from './fixtures.js';

const KEY_TYPES = ['P-256', 'P-384', 'Ed25519', 'RSA-2048'] as const;

test('keys made once per generation: every certificate carries its own key and its issuer', async () => {
  for (const keyType of KEY_TYPES) {
    const specs = [
      { name: 'CA_KEY', kind: 'private-key', key_type: keyType },
      { name: 'CA', kind: 'x509-ca', private_key: 'CA_KEY' },
      { name: 'LEAF_KEY', kind: 'private-key', key_type: keyType },
      { name: 'LEAF', kind: 'x509', issuer: 'CA', private_key: 'LEAF_KEY' },
    ] as unknown as SecretSpec[];
    const values = await generateAll(specs);
    const data = (name: string) => values.get(name)!.reveal() as unknown as Record<string, string>;
    for (const [cert, key] of [
      ['CA', 'CA_KEY'],
      ['LEAF', 'LEAF_KEY'],
    ] as const) {
      const x509 = new X509Certificate(data(cert)['certificate_pem']!);
      const own = createPrivateKey(data(key)['pkcs8_pem']!);
      // The recorded SPKI hashes are those of OpenSSL's own export, for the key and the cert.
      assert.equal(data(key)['spki_sha256'], spkiSha256(own), keyType);
      assert.equal(data(cert)['spki_sha256'], spkiSha256(own), keyType);
      assert.equal(
        x509.publicKey.export({ type: 'spki', format: 'der' }).toString('hex'),
        createPublicKey(own).export({ type: 'spki', format: 'der' }).toString('hex'),
        `${cert} certifies ${key} (${keyType})`,
      );
    }
    const ca = new X509Certificate(data('CA')['certificate_pem']!);
    assert.ok(new X509Certificate(data('LEAF')['certificate_pem']!).verify(ca.publicKey));
    assert.equal(data('LEAF')['issuer_sha256'], sha256Hex(ca.raw));
  }
});

test('certificateSha256 hashes the DER of the first certificate block, whatever its line breaks', async () => {
  const values = await generateAll([{ name: 'CA', kind: 'x509-ca' }] as unknown as SecretSpec[]);
  const pem = dataOf(values.get('CA'), 'x509-ca').certificate_pem;
  const expected = sha256Hex(new X509Certificate(pem).raw);
  assert.equal(certificateSha256(pem), expected);
  assert.equal(certificateSha256(pem.replaceAll('\n', '\r\n')), expected);
  assert.equal(certificateSha256(`junk before\n${pem}${pem}`), expected);
  assert.throws(
    () => certificateSha256('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'),
    (e: unknown) => (e as { code?: string }).code === 'CAS_SECRETS_INVALID_VALUE',
  );
});
