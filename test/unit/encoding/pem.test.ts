import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromPem, toPem } from '../../../src/encoding/pem.js';

test('toPem writes what node writes: lines of 64 between the label lines', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  const der = key.export({ type: 'pkcs8', format: 'der' });
  assert.equal(toPem('PRIVATE KEY', der), key.export({ type: 'pkcs8', format: 'pem' }));
});

test('fromPem reads every block of its label, in order, and nothing else', () => {
  const a = new Uint8Array([1, 2, 3]);
  const b = new Uint8Array(200).fill(7);
  const text = `notes\n${toPem('X509 CRL', a)}${toPem('CERTIFICATE', a)}between\n${toPem('X509 CRL', b).replace(/\n/g, '\r\n')}`;
  assert.deepEqual(fromPem(text, 'X509 CRL'), [a, b]);
  assert.deepEqual(fromPem(text, 'CERTIFICATE'), [a]);
  assert.deepEqual(
    fromPem('-----BEGIN X509 CRL-----\n#!\n-----END X509 CRL-----\n', 'X509 CRL'),
    [],
  );
});

test('property: any bytes round-trip under any of the labels used', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 600 }),
      fc.constantFrom('CERTIFICATE', 'PRIVATE KEY', 'X509 CRL'),
      (der, label) => {
        assert.deepEqual(fromPem(toPem(label, der), label), [der]);
      },
    ),
  );
});
