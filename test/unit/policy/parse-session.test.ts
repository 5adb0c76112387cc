import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSession } from '../../../src/policy/parse-session.js';
import { sessionHash } from '../../../src/policy/session-hash.js';

const MRENCLAVE = 'a'.repeat(64);

/** The complete example of the reference (§1.10). */
export const REFERENCE_EXAMPLE = `name: my-ns/app
version: "0.3.10"
security:
  attestation: {tolerate: [debug-mode, hyperthreading, outdated-tcb], ignore_advisories: "*"}
services:
  - name: application
    image_name: app_image
    attestation: {mrenclave: ["$MRENCLAVE"]}
    command: /usr/bin/python3 /app/main.py
    pwd: /
    environment: {API_USER: alice, API_PASSWORD: "$$SCONE::api_password$$"}
images:
  - name: app_image
    injection_files:
      - {path: /app/cert.pem, content: "$$SCONE::SERVER_CERT:crt$$"}
      - {path: /private/key.pem, content: "$$SCONE::SERVER_CERT:privatekey$$"}
secrets:
  - {name: api_password, kind: ascii, size: 24}
  - {name: CA_KEY, kind: private-key, key_type: P-384, migrate: true}
  - {name: CA_CERT, kind: x509-ca, private_key: CA_KEY, valid_for: 3560d, export_public: true}
  - {name: SERVER_KEY, kind: private-key}
  - {name: SERVER_CERT, kind: x509, issuer: CA_CERT, private_key: SERVER_KEY, endpoint: server}
`;

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
