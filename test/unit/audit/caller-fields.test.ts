import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callerFields } from '../../../src/audit/caller-fields.js';
import { generateIdentity } from '../../../src/crypto/identity.js';

test('the subject read once per connection is the one the certificate holds', async () => {
  const id = await generateIdentity();
  const parsed = callerFields({ keyHash: id.keyHash, certPem: id.certPem, address: '10.0.0.1' });
  assert.equal(parsed.subject, id.certificate.subject);
  assert.equal(parsed.caller, id.keyHash);
  assert.equal(parsed.address, '10.0.0.1');
  // A caller read from a connection carries the subject; the certificate is not parsed again.
  const carried = callerFields({
    keyHash: id.keyHash,
    certPem: 'not a certificate',
    subject: 'CN=x',
  });
  assert.equal(carried.subject, 'CN=x');
  assert.equal(carried.address, undefined);
});

test('an unreadable certificate or an empty subject leaves the subject out', () => {
  assert.deepEqual(callerFields({ keyHash: 'k', certPem: 'junk' }), { caller: 'k' });
  assert.deepEqual(callerFields({ keyHash: 'k', certPem: 'junk', subject: '' }), { caller: 'k' });
});
