import assert from 'node:assert/strict';
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { test } from 'node:test';
import type { SecretSpec } from '../../../src/policy/types.js';
import { certificateSha256 } from '../../../src/secrets/generate-certificate.js';
import { isCasError } from '../../../src/errors/cas-error.js';
import { keyTypeOf, pkcs8Pem, sha256Hex, spkiSha256 } from '../../../src/secrets/key-material.js';
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

test('pkcs8Pem writes what OpenSSL exports, byte for byte, for every key type', () => {
  const made: Array<[string, KeyObject]> = [];
  for (let i = 0; i < 200; i++) {
    made.push(['P-256', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey]);
    made.push(['P-384', generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey]);
    made.push(['Ed25519', generateKeyPairSync('ed25519').privateKey]);
  }
  made.push(['RSA-2048', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey]);
  for (const [keyType, key] of made) {
    const expected = key.export({ type: 'pkcs8', format: 'pem' });
    assert.equal(pkcs8Pem(key), expected, keyType);
    // and it reads back as the same key
    assert.deepEqual(
      createPrivateKey(pkcs8Pem(key)).export({ format: 'jwk' }),
      key.export({ format: 'jwk' }),
      keyType,
    );
  }
});

test('keyTypeOf gives the same answer on every call and refuses unsupported keys each time', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  assert.equal(keyTypeOf(key), 'P-384');
  assert.equal(keyTypeOf(key), 'P-384');
  const x25519 = generateKeyPairSync('x25519').privateKey;
  for (let i = 0; i < 2; i++) {
    assert.throws(
      () => keyTypeOf(x25519),
      (e: unknown) => isCasError(e) && e.code === 'CAS_SECRETS_INVALID_VALUE',
    );
  }
});
