import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSession, type ParseOptions } from '../../../src/policy/parse-session.js';
import { MAX_ISSUES } from '../../../src/policy/issue-sink.js';
import type { PolicyIssue } from '../../../src/policy/types.js';
import { KEY_HASH, MRENCLAVE, SERVICE, session } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly text: string;
  readonly options?: ParseOptions;
  /** The issue expected: code, key path and line:column in the file. */
  readonly code: string;
  readonly path: string;
  readonly at: `${number}:${number}`;
}

const svc = (extra: string): string => session(`${SERVICE}${extra}`);

const CASES: readonly Case[] = [
  {
    name: 'a missing template variable names itself at its position',
    text: 'name: $APP_NAME\nversion: "0.3.10"\n',
    code: 'CAS_POLICY_TEMPLATE_VARIABLE_MISSING',
    path: '',
    at: '1:7',
  },
  {
    name: 'broken YAML',
    text: 'name: app\nversion: "0.3.10"\nservices: [\n',
    code: 'CAS_POLICY_YAML_INVALID',
    path: '',
    at: '4:1',
  },
  {
    name: 'a custom tag',
    text: session('secrets: !akv {}\n'),
    code: 'CAS_POLICY_YAML_INVALID',
    path: '',
    at: '3:10',
  },
  {
    name: 'a duplicate key',
    text: 'name: app\nversion: "0.3.10"\nname: other\n',
    code: 'CAS_POLICY_DUPLICATE_KEY',
    path: '',
    at: '3:1',
  },
  {
    name: 'two documents',
    text: 'name: app\nversion: "0.3.10"\n---\nname: b\n',
    code: 'CAS_POLICY_MULTIPLE_DOCUMENTS',
    path: '',
    at: '3:1',
  },
  {
    name: 'an unknown top-level key',
    text: session('servces: []\n'),
    code: 'CAS_POLICY_UNKNOWN_KEY',
    path: 'servces',
    at: '3:1',
  },
  {
    name: 'a SCONE key we do not implement',
    text: session('volumes: [{name: v}]\n'),
    code: 'CAS_POLICY_UNSUPPORTED_KEY',
    path: 'volumes',
    at: '3:1',
  },
  {
    name: 'version 0.2',
    text: 'name: app\nversion: "0.2"\n',
    code: 'CAS_POLICY_UNSUPPORTED_VERSION',
    path: 'version',
    at: '2:10',
  },
  {
    name: 'no version (0.1 by SCONE rules)',
    text: 'name: app\n',
    code: 'CAS_POLICY_UNSUPPORTED_VERSION',
    path: 'version',
    at: '1:1',
  },
  {
    name: 'no name',
    text: 'version: "0.3"\n',
    code: 'CAS_POLICY_MISSING_KEY',
    path: 'name',
    at: '1:1',
  },
  {
    name: 'services is a map',
    text: session('services: {a: 1}\n'),
    code: 'CAS_POLICY_WRONG_TYPE',
    path: 'services',
    at: '3:11',
  },
  {
    name: 'an unknown attestation mode',
    text: session('security: {attestation: {mode: lax}}\n'),
    code: 'CAS_POLICY_BAD_VALUE',
    path: 'security.attestation.mode',
    at: '3:32',
  },
  {
    name: 'a session name with a .. segment',
    text: 'name: a/../b\nversion: "0.3"\n',
    code: 'CAS_POLICY_BAD_NAME',
    path: 'name',
    at: '1:7',
  },
  {
    name: 'a short mrenclave',
    text: session(
      'services:\n  - name: svc\n    command: x\n    attestation:\n      - mrenclave: [abc]\n',
    ),
    code: 'CAS_POLICY_BAD_HEX',
    path: 'services[0].attestation[0].mrenclave[0]',
    at: '7:21',
  },
  {
    name: 'two services with one name',
    text: svc('  - name: svc\n    command: y\n    mrenclaves: ["' + MRENCLAVE + '"]\n'),
    code: 'CAS_POLICY_DUPLICATE_NAME',
    path: 'services[1].name',
    at: '7:11',
  },
  {
    name: 'an x509 whose private_key names nothing',
    text: session('secrets:\n  - {name: c, kind: x509, private_key: nokey}\n'),
    code: 'CAS_POLICY_UNKNOWN_REFERENCE',
    path: 'secrets[0].private_key',
    at: '4:40',
  },
  {
    name: 'an issuer that is not an x509-ca',
    text: session(
      'secrets:\n  - {name: k, kind: private-key}\n  - {name: c, kind: x509, private_key: k, issuer: k}\n',
    ),
    code: 'CAS_POLICY_WRONG_REFERENCE_KIND',
    path: 'secrets[1].issuer',
    at: '5:51',
  },
  {
    name: 'a service without attestation in hardware mode',
    text: session('services:\n  - name: svc\n    command: x\n'),
    code: 'CAS_POLICY_NO_ATTESTATION',
    path: 'services[0]',
    at: '4:11',
  },
  {
    name: 'an empty attestation variant (would accept anything)',
    text: session('services:\n  - name: svc\n    command: x\n    attestation: [{}]\n'),
    code: 'CAS_POLICY_EMPTY_VARIANT',
    path: 'services[0].attestation[0]',
    at: '6:19',
  },
  {
    name: 'an empty attestation list',
    text: session('services:\n  - name: svc\n    command: x\n    attestation: []\n'),
    code: 'CAS_POLICY_EMPTY_VARIANT',
    path: 'services[0].attestation',
    at: '6:18',
  },
  {
    name: 'an empty legacy mrenclaves list',
    text: session('services:\n  - name: svc\n    command: x\n    mrenclaves: []\n'),
    code: 'CAS_POLICY_EMPTY_VARIANT',
    path: 'services[0].mrenclaves',
    at: '6:17',
  },
  {
    name: 'a signer without isvprodid',
    text: session(
      `services:\n  - name: svc\n    command: x\n    attestation:\n      signer: {mrsigner: "${MRENCLAVE}", isvsvn: 1}\n`,
    ),
    code: 'CAS_POLICY_BAD_SIGNER',
    path: 'services[0].attestation.signer',
    at: '7:15',
  },
  {
    name: 'a decimal permission',
    text: session(
      'images:\n  - name: i\n    injection_files:\n      - {path: /a, content: x, permission: 600}\n',
    ),
    code: 'CAS_POLICY_BAD_PERMISSION',
    path: 'images[0].injection_files[0].permission',
    at: '6:44',
  },
  {
    name: 'a bad duration',
    text: session(
      'secrets:\n  - {name: k, kind: private-key}\n  - {name: c, kind: x509-ca, private_key: k, valid_for: 3 fortnights}\n',
    ),
    code: 'CAS_POLICY_BAD_DURATION',
    path: 'secrets[1].valid_for',
    at: '5:57',
  },
  {
    name: 'an unterminated quote in a command',
    text: session(
      `services:\n  - name: svc\n    command: sh -c 'echo\n    mrenclaves: ["${MRENCLAVE}"]\n`,
    ),
    code: 'CAS_POLICY_BAD_COMMAND',
    path: 'services[0].command',
    at: '5:14',
  },
  {
    name: 'ANY together with another entry',
    text: session(`access_policy:\n  read: [ANY, "${KEY_HASH}"]\n`),
    code: 'CAS_POLICY_BAD_ACCESS_ENTRY',
    path: 'access_policy.read',
    at: '4:9',
  },
  {
    name: 'an access entry that is nothing known',
    text: session('access_policy:\n  update: [alice]\n'),
    code: 'CAS_POLICY_BAD_ACCESS_ENTRY',
    path: 'access_policy.update[0]',
    at: '4:12',
  },
  {
    name: 'a malformed placeholder',
    text: svc('    environment: {A: "x $$SCONE::bad name$$"}\n'),
    code: 'CAS_POLICY_BAD_PLACEHOLDER',
    path: 'services[0].environment.A',
    at: '7:25',
  },
  {
    name: 'a placeholder naming an unknown secret',
    text: svc('    environment: {A: "$$SCONE::nope$$"}\n'),
    code: 'CAS_POLICY_UNKNOWN_SECRET',
    path: 'services[0].environment.A',
    at: '7:23',
  },
  {
    name: 'a format the kind does not have',
    text: svc('    environment: {A: "$$SCONE::pw:crt$$"}\nsecrets: [{name: pw, kind: ascii}]\n'),
    code: 'CAS_POLICY_BAD_FORMAT',
    path: 'services[0].environment.A',
    at: '7:23',
  },
  {
    name: 'export_public on a private key',
    text: session('secrets:\n  - {name: k, kind: private-key, export_public: true}\n'),
    code: 'CAS_POLICY_EXPORT_PUBLIC_PRIVATE_KEY',
    path: 'secrets[0].export_public',
    at: '4:34',
  },
  {
    name: 'value and import together',
    text: session(
      'secrets:\n  - {name: s, kind: ascii, value: x, import: {session: o, secret: s}}\n',
    ),
    code: 'CAS_POLICY_CONFLICT',
    path: 'secrets[0].value',
    at: '4:28',
  },
  {
    name: 'an import that climbs above the root',
    text: session('secrets:\n  - {name: s, import: {session: ../../x, secret: s}}\n'),
    code: 'CAS_POLICY_BAD_REFERENCE',
    path: 'secrets[0].import.session',
    at: '4:33',
  },
  {
    name: 'explicit values without a salt (warning)',
    text: session('secrets:\n  - {name: s, kind: ascii, value: hunter2}\n'),
    code: 'CAS_POLICY_SALT_RECOMMENDED',
    path: 'secrets[0].value',
    at: '4:35',
  },
  {
    name: 'an image_name naming no image (warning)',
    text: svc('    image_name: ghost\n'),
    code: 'CAS_POLICY_IMAGE_NOT_DECLARED',
    path: 'services[0].image_name',
    at: '7:17',
  },
  {
    name: 'ignoring every advisory without debug-mode (warning)',
    text: session('security: {attestation: {ignore_advisories: "*"}}\n'),
    code: 'CAS_POLICY_IGNORE_ALL_ADVISORIES',
    path: 'security.attestation.ignore_advisories',
    at: '3:45',
  },
];

function issuesOf(text: string, options?: ParseOptions): PolicyIssue[] {
  const res = parseSession(text, options);
  return res.ok ? res.warnings : res.issues;
}

for (const c of CASES) {
  test(`${c.code}: ${c.name}`, () => {
    const issues = issuesOf(c.text, c.options);
    const found = issues.find((i) => i.code === c.code);
    assert.ok(found, `expected ${c.code}, got ${JSON.stringify(issues, null, 1)}`);
    assert.equal(found.path, c.path);
    assert.equal(`${found.line}:${found.column}`, c.at, found.message);
    assert.ok(found.message.length > 0);
  });
}

test('CAS_POLICY_TOO_LARGE: a file over 1 MiB is refused before parsing', () => {
  const issues = issuesOf(session(`# ${'x'.repeat(1024 * 1024)}\n`));
  assert.equal(issues[0]?.code, 'CAS_POLICY_TOO_LARGE');
});

test('CAS_POLICY_TOO_LARGE: a value that blows the file past 1 MiB is refused', () => {
  const issues = issuesOf('name: $BIG\n', { vars: { BIG: 'x'.repeat(1024 * 1024) } });
  assert.equal(issues[0]?.code, 'CAS_POLICY_TOO_LARGE');
});

test('CAS_POLICY_TOO_COMPLEX: an alias bomb is stopped', () => {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 12; i++) {
    lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  }
  const issues = issuesOf(`${lines.join('\n')}\n`);
  assert.ok(
    issues.some((i) => i.code === 'CAS_POLICY_TOO_COMPLEX'),
    JSON.stringify(issues),
  );
});

test('CAS_POLICY_TOO_COMPLEX: absurd nesting is stopped without a crash', () => {
  const deep = `name: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
  const issues = issuesOf(deep);
  assert.ok(
    issues.some((i) => i.code === 'CAS_POLICY_TOO_COMPLEX'),
    JSON.stringify(issues.slice(0, 3)),
  );
});

test('CAS_POLICY_TOO_COMPLEX: the issue list is capped, whatever the file', () => {
  const issues = issuesOf(`${Array.from({ length: 1000 }, (_, i) => `k${i}: 1`).join('\n')}\n`);
  assert.equal(issues.length, MAX_ISSUES + 1);
  assert.ok(
    issues.some(
      (i) => i.code === 'CAS_POLICY_TOO_COMPLEX' && /more than 200 problems/.test(i.message),
    ),
  );
  const many = issuesOf(`name: "${'$A'.repeat(5000)}"\n`);
  assert.equal(many.length, MAX_ISSUES + 1);
});
