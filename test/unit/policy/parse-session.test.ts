import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSession } from '../../../src/policy/parse-session.js';
import { sessionHash } from '../../../src/policy/session-hash.js';
import { MRENCLAVE, REFERENCE_EXAMPLE } from './fixtures.js';

test('the complete example of the reference is accepted and normalised', () => {
  const res = parseSession(REFERENCE_EXAMPLE, { vars: { MRENCLAVE } });
  assert.ok(res.ok, JSON.stringify(!res.ok && res.issues));
  const s = res.session;
  assert.equal(s.name, 'my-ns/app');
  assert.equal(s.version, '0.3.10');
  assert.equal(s.predecessor, null);
  assert.deepEqual(s.services[0]?.command, ['/usr/bin/python3', '/app/main.py']);
  assert.deepEqual(s.services[0]?.attestation, [{ mrenclave: [MRENCLAVE] }]);
  assert.deepEqual(s.access_policy, {
    read: ['CREATOR'],
    update: ['CREATOR'],
    create_sessions: ['CREATOR'],
    list_sessions: ['CREATOR'],
  });
  assert.equal(s.security.attestation.mode, 'hardware');
  assert.deepEqual(s.security.attestation.ignore_advisories, ['*']);
  assert.deepEqual(s.secrets[2], {
    name: 'CA_CERT',
    kind: 'x509-ca',
    private_key: 'CA_KEY',
    valid_for: 3560 * 86400,
    common_name: 'CA_CERT',
    export_public: true,
  });
  assert.equal(s.images[0]?.injection_files[0]?.permission, 0o700);
  assert.ok(Object.isFrozen(s.services[0]));
  assert.match(sessionHash(s), /^[0-9a-f]{64}$/);
});
