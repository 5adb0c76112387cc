import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseSession } from '../../../src/policy/parse-session.js';
import { sessionHash } from '../../../src/policy/session-hash.js';
import { withCreator } from '../../../src/policy/with-creator.js';
import { MRENCLAVE, REFERENCE_EXAMPLE } from './fixtures.js';

const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'name: ',
        'version: "0.3"',
        'services:',
        '  - name: s',
        '    command: x',
        'secrets:',
        '- ',
        ': ',
        '[',
        ']',
        '{',
        '}',
        '&a ',
        '*a',
        '!tag ',
        '|',
        '>',
        '"',
        "'",
        '#',
        '$X',
        '${Y}',
        '$$SCONE::s$$',
        '$$SCONE::',
        '\\@\\@',
        '@@1',
        '---',
        '...',
        '0644',
        '~',
        'null',
        '\t',
        '\n',
        '  ',
        '<<: *a',
      ),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

test('parseSession never throws on random text', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.string({ unit: 'grapheme', maxLength: 100 }),
        yamlish,
      ),
      (text) => {
        const res = parseSession(text, { vars: { X: 'x', Y: '\n  - y' } });
        assert.equal(typeof res.ok, 'boolean');
        if (!res.ok) assert.ok(res.issues.length > 0);
      },
    ),
    { numRuns: 800 },
  );
});

test('parseSession never throws on random JSON objects (JSON is YAML)', () => {
  const keys = fc.constantFrom(
    'name',
    'version',
    'services',
    'secrets',
    'images',
    'access_policy',
    'security',
    'predecessor',
    'salt',
    'command',
    'attestation',
    'mrenclave',
    'kind',
    'value',
    'import',
    'export',
    'injection_files',
    'path',
    'permission',
    'read',
    'update',
    'mode',
    'signer',
    'tdx',
    'snp',
    'nitro',
    'environment',
    'private_key',
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.jsonValue({ maxDepth: 1 }),
      fc.dictionary(keys, tie('node'), { maxKeys: 5 }),
      fc.array(tie('node'), { maxLength: 4 }),
    ),
  })).node;
  fc.assert(
    fc.property(fc.dictionary(keys, value, { maxKeys: 8 }), (obj) => {
      const res = parseSession(JSON.stringify(obj));
      assert.equal(typeof res.ok, 'boolean');
    }),
    { numRuns: 400 },
  );
});

/** The reference example as a plain object, to re-serialise in other orders and styles. */
function exampleObject(): Record<string, unknown> {
  return JSON.parse(REFERENCE_EXAMPLE_JSON) as Record<string, unknown>;
}

const REFERENCE_EXAMPLE_JSON = JSON.stringify({
  name: 'my-ns/app',
  version: '0.3.10',
  security: {
    attestation: {
      tolerate: ['debug-mode', 'hyperthreading', 'outdated-tcb'],
      ignore_advisories: '*',
    },
  },
  services: [
    {
      name: 'application',
      image_name: 'app_image',
      attestation: { mrenclave: [MRENCLAVE] },
      command: '/usr/bin/python3 /app/main.py',
      pwd: '/',
      environment: { API_USER: 'alice', API_PASSWORD: '$$SCONE::api_password$$' },
    },
  ],
  images: [
    {
      name: 'app_image',
      injection_files: [
        { path: '/app/cert.pem', content: '$$SCONE::SERVER_CERT:crt$$' },
        { path: '/private/key.pem', content: '$$SCONE::SERVER_CERT:privatekey$$' },
      ],
    },
  ],
  secrets: [
    { name: 'api_password', kind: 'ascii', size: 24 },
    { name: 'CA_KEY', kind: 'private-key', key_type: 'P-384', migrate: true },
    {
      name: 'CA_CERT',
      kind: 'x509-ca',
      private_key: 'CA_KEY',
      valid_for: '3560d',
      export_public: true,
    },
    { name: 'SERVER_KEY', kind: 'private-key' },
    {
      name: 'SERVER_CERT',
      kind: 'x509',
      issuer: 'CA_CERT',
      private_key: 'SERVER_KEY',
      endpoint: 'server',
    },
  ],
});

function shuffled(value: unknown, rnd: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffled(v, rnd));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(() => rnd() - 0.5);
    return Object.fromEntries(entries.map(([k, v]) => [k, shuffled(v, rnd)]));
  }
  return value;
}

test('the hash depends on meaning only: key order and flow/block style do not change it', () => {
  const reference = parseSession(REFERENCE_EXAMPLE, { vars: { MRENCLAVE } });
  assert.ok(reference.ok);
  const expected = sessionHash(reference.session);
  fc.assert(
    fc.property(fc.integer(), fc.boolean(), (seed, flow) => {
      let state = seed;
      const rnd = (): number => {
        state = (state * 1103515245 + 12345) & 0x7fffffff;
        return state / 0x7fffffff;
      };
      const obj = shuffled(exampleObject(), rnd);
      const text = flow ? JSON.stringify(obj, null, 1) : stringify(obj, { lineWidth: 0 });
      const res = parseSession(text);
      assert.ok(res.ok, JSON.stringify(!res.ok && res.issues));
      assert.equal(sessionHash(res.session), expected);
    }),
    { numRuns: 100 },
  );
});

const PINNED_HASH = 'c4ab4c9b300e60078d2442487b79742f752e6bf8d8fc97da9c3d8506d36b0c2c';

test('the hash changes with meaning and with the creator', () => {
  const base = parseSession(REFERENCE_EXAMPLE, { vars: { MRENCLAVE } });
  const other = parseSession(REFERENCE_EXAMPLE, { vars: { MRENCLAVE: 'b'.repeat(64) } });
  assert.ok(base.ok && other.ok);
  const h = sessionHash(base.session);
  assert.notEqual(sessionHash(other.session), h);
  const a = withCreator(
    base.session,
    '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
  );
  const b = withCreator(base.session, {
    signer: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
  });
  assert.notEqual(sessionHash(a), h);
  assert.notEqual(sessionHash(b), sessionHash(a));
  assert.equal(sessionHash(withCreator(a, a.creator ?? '')), sessionHash(a));
  assert.ok(Object.isFrozen(b) && Object.isFrozen(b.creator));
  assert.equal(base.session.creator, undefined);
  // Pinned: a change here changes the hash of every stored session; make it deliberately.
  assert.equal(h, PINNED_HASH);
  assert.equal(h, sessionHash(JSON.parse(JSON.stringify(base.session)) as typeof base.session));
});

test('parseSession never throws on mutations of a valid session', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(REFERENCE_EXAMPLE.length), fc.nat(8), fc.string({ maxLength: 6 })), {
        minLength: 1,
        maxLength: 4,
      }),
      (edits) => {
        let text = REFERENCE_EXAMPLE;
        for (const [at, drop, insert] of edits) {
          text = text.slice(0, at) + insert + text.slice(at + drop);
        }
        const res = parseSession(text, { vars: { MRENCLAVE } });
        if (!res.ok) {
          for (const i of res.issues) {
            assert.ok(i.line >= 1 && i.column >= 1, JSON.stringify(i));
            assert.ok(i.line <= text.split('\n').length, JSON.stringify(i));
          }
        }
      },
    ),
    { numRuns: 400 },
  );
});
