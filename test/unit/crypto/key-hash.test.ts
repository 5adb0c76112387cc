import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  base58CheckDecode,
  base58CheckEncode,
  base58Decode,
  base58Encode,
} from '../../../src/encoding/base58.js';
import { isKeyHash, keyHashOfKey, keyHashOfPem } from '../../../src/crypto/key-hash.js';
import { CasError } from '../../../src/errors/cas-error.js';

test('base58 round-trips any bytes, leading zeros included', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      assert.deepEqual(base58Decode(base58Encode(bytes)), bytes);
    }),
  );
});

test('the documented SCONE key hashes decode as Base58Check version 1 with 32 bytes', () => {
  // Example key hash from the SCONE documentation (scone-reference.md §2.6).
  const decoded = base58CheckDecode('3s1pm8W6Be6cxvAQRbRP5YXd9YuERAr7KswN97uGtoPkRW87x1');
  assert.ok(decoded);
  assert.equal(decoded.version, 1);
  assert.equal(decoded.payload.length, 32);
  assert.ok(isKeyHash('3s1pm8W6Be6cxvAQRbRP5YXd9YuERAr7KswN97uGtoPkRW87x1'));
});

test('a flipped character breaks the checksum', () => {
  const hash = base58CheckEncode(1, new Uint8Array(32).fill(7));
  const flipped = (hash[10] === 'a' ? 'b' : 'a') + hash.slice(11);
  assert.equal(isKeyHash(hash.slice(0, 10) + flipped), false);
  assert.equal(base58Decode('0OIl'), null);
});

test('key hash of a public key PEM equals that of the key object', () => {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  assert.equal(keyHashOfPem(pem), keyHashOfKey(publicKey));
  assert.ok(isKeyHash(keyHashOfKey(publicKey)));
});

test('text that is not PEM is refused with CAS_CRYPTO_NOT_PEM', () => {
  assert.throws(
    () => keyHashOfPem('hello'),
    (e: unknown) => e instanceof CasError && e.code === 'CAS_CRYPTO_NOT_PEM',
  );
});
