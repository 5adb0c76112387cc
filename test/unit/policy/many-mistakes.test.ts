import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIssues } from '../../../src/policy/format-issues.js';
import { parseSession } from '../../../src/policy/parse-session.js';
import { policyInvalid } from '../../../src/policy/policy-invalid.js';
import { MRENCLAVE } from './fixtures.js';

const FILE = `name: shop/web
version: "0.3.10"
services:
  - name: web
    image_name: web_image
    command: node /app/server.js
    mrenclaves: ["${MRENCLAVE}"]
    enviroment: {A: 1}
  - name: worker
    command: "run --key $$SCONE::api_key:hex$$"
    attestation:
      - mrenclave: [1234]
images:
  - name: web_image
    injection_files:
      - path: /etc/app.conf
        content: "password=$$SCONE::db_pasword$$"
        permission: 644
secrets:
  - name: db_password
    kind: ascii
  - name: api_key
    kind: ascii
  - name: tls
    kind: x509
    private_key: tls_key
    valid_for: forever
access_policy:
  read: [CREATOR, ANY]
`;

const EXPECTED = [
  ['8:5', 'CAS_POLICY_UNKNOWN_KEY', 'services[0].enviroment'],
  ['10:25', 'CAS_POLICY_BAD_FORMAT', 'services[1].command'],
  ['12:21', 'CAS_POLICY_BAD_HEX', 'services[1].attestation[0].mrenclave[0]'],
  ['17:28', 'CAS_POLICY_UNKNOWN_SECRET', 'images[0].injection_files[0].content'],
  ['18:21', 'CAS_POLICY_BAD_PERMISSION', 'images[0].injection_files[0].permission'],
  ['26:18', 'CAS_POLICY_UNKNOWN_REFERENCE', 'secrets[2].private_key'],
  ['27:16', 'CAS_POLICY_BAD_DURATION', 'secrets[2].valid_for'],
  ['29:9', 'CAS_POLICY_BAD_ACCESS_ENTRY', 'access_policy.read'],
];

test('a file with several mistakes reports every one, in file order, with line and column', () => {
  const res = parseSession(FILE);
  assert.ok(!res.ok);
  assert.deepEqual(
    res.issues.map((i) => [`${i.line}:${i.column}`, i.code, i.path]),
    EXPECTED,
  );
});

test('formatIssues prints file:line:col: CODE path: message lines', () => {
  const res = parseSession(FILE);
  assert.ok(!res.ok);
  const lines = formatIssues(res.issues, 'web.yaml').split('\n');
  assert.equal(lines.length, EXPECTED.length);
  assert.equal(
    lines[0],
    'web.yaml:8:5: CAS_POLICY_UNKNOWN_KEY services[0].enviroment: unknown key `enviroment` in services[0]; allowed: name, image_name, command, environment, pwd, attestation, mrenclaves, platforms',
  );
  const warn = parseSession(
    'name: a\nversion: "0.3"\nsecrets: [{name: s, kind: ascii, value: v}]\n',
  );
  assert.ok(warn.ok);
  assert.match(
    formatIssues(warn.warnings, 'f.yaml'),
    /^f\.yaml:3:\d+: CAS_POLICY_SALT_RECOMMENDED secrets\[0\]\.value: .* \(warning\)$/,
  );
  assert.equal(
    formatIssues(
      [
        {
          code: 'CAS_POLICY_MISSING_KEY',
          path: '',
          line: 1,
          column: 1,
          message: 'm',
          severity: 'error',
        },
      ],
      'x',
    ),
    'x:1:1: CAS_POLICY_MISSING_KEY: m',
  );
});

test('policyInvalid carries every issue under CAS_POLICY_INVALID', () => {
  const res = parseSession(FILE);
  assert.ok(!res.ok);
  const err = policyInvalid(res.issues);
  assert.equal(err.code, 'CAS_POLICY_INVALID');
  assert.equal(err.status, 400);
  assert.equal(err.exitCode, 1);
  assert.deepEqual(err.details?.['issues'], res.issues);
  assert.match(
    err.message,
    /^invalid session: 8:5: unknown key `enviroment`.* \(and 7 more problems\)$/,
  );
});

test('no message repeats an explicit secret value', () => {
  const secret = 'hunter2-very-secret';
  const texts = [
    `name: a\nversion: "0.3"\nsecrets: [{name: s, kind: binary, value: "${secret}"}]\n`,
    `name: a\nversion: "0.3"\nsecrets: [{name: s, kind: private-key, value: "${secret}"}]\n`,
    `name: a\nversion: "0.3"\nsecrets: [{name: s, kind: x509, value: "${secret}"}]\n`,
    `name: a\nversion: "0.3"\nsecrets: [{name: s, kind: public-key, value: "${secret}"}]\n`,
    `name: a\nversion: "0.3"\nsecrets: [{name: s, kind: ascii, value: {x: "${secret}"}}]\n`,
    `name: a\nversion: "0.3"\nsecrets: [{name: s, kind: ascii, value: "${secret}", import: {session: b, secret: c}}]\n`,
  ];
  for (const text of texts) {
    const res = parseSession(text);
    assert.ok(!res.ok, text);
    for (const issue of res.issues) assert.ok(!issue.message.includes(secret), issue.message);
  }
});
