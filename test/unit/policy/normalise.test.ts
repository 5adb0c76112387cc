import assert from 'node:assert/strict';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { test } from 'node:test';
import { x509 } from '../../../src/crypto/x509.js';
import { keyHashOfKey, keyHashOfPem } from '../../../src/crypto/key-hash.js';
import { parseSession, type ParseResult } from '../../../src/policy/parse-session.js';
import type { Session } from '../../../src/policy/types.js';
import { KEY_HASH, MRENCLAVE, SERVICE, session } from './fixtures.js';

function accepted(res: ParseResult): Session {
  assert.ok(res.ok, JSON.stringify(!res.ok && res.issues, null, 1));
  return res.session;
}

test('defaults: access policy, security, predecessor', () => {
  const s = accepted(parseSession(session(SERVICE)));
  assert.deepEqual(s.access_policy, {
    read: ['CREATOR'],
    update: ['CREATOR'],
    create_sessions: ['CREATOR'],
    list_sessions: ['CREATOR'],
  });
  assert.deepEqual(s.security, {
    attestation: { mode: 'hardware', tolerate: [], ignore_advisories: [] },
  });
  assert.equal(s.predecessor, null);
  assert.equal('salt' in s, false);
  assert.equal('creator' in s, false);
});

test('create_sessions defaults to update and list_sessions to read', () => {
  const s = accepted(
    parseSession(session(`access_policy:\n  read: [ANY]\n  update: ["${KEY_HASH}"]\n`)),
  );
  assert.deepEqual(s.access_policy.create_sessions, [{ key_hash: KEY_HASH }]);
  assert.deepEqual(s.access_policy.list_sessions, ['ANY']);
});

test('a scalar access entry counts as a list of one', () => {
  const s = accepted(parseSession(session('access_policy: {read: NONE, update: CREATOR}\n')));
  assert.deepEqual(s.access_policy.read, ['NONE']);
});

test('PEM certificates and public keys in access policies become key hashes', async () => {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name: 'CN=alice',
      notBefore: new Date(Date.UTC(2026, 0, 1)),
      notAfter: new Date(Date.UTC(2027, 0, 1)),
      keys,
      signingAlgorithm: alg,
    },
    webcrypto,
  );
  const certPem = cert.toString('pem');
  const { publicKey } = generateKeyPairSync('ed25519');
  const pubPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const indent = (pem: string): string => pem.trim().split('\n').join('\n      ');
  const text = session(
    `access_policy:\n  read:\n    - |\n      ${indent(certPem)}\n    - |\n      ${indent(pubPem)}\n`,
  );
  const s = accepted(parseSession(text));
  assert.deepEqual(s.access_policy.read, [
    { key_hash: keyHashOfPem(certPem) },
    { key_hash: keyHashOfKey(publicKey) },
  ]);
});

test('legacy mrenclaves and a single attestation map become a list of variants', () => {
  const legacy = accepted(
    parseSession(
      session(`services:\n  - {name: s, command: x, mrenclaves: ["${MRENCLAVE.toUpperCase()}"]}\n`),
    ),
  );
  assert.deepEqual(legacy.services[0]?.attestation, [{ mrenclave: [MRENCLAVE] }]);
  const single = accepted(
    parseSession(
      session(`services:\n  - {name: s, command: x, attestation: {mrenclave: "${MRENCLAVE}"}}\n`),
    ),
  );
  assert.deepEqual(single.services[0]?.attestation, [{ mrenclave: [MRENCLAVE] }]);
});

test('multi-TEE factors and signer ranges are read and lowercased', () => {
  const h96 = 'B'.repeat(96);
  const text = session(`services:
  - name: s
    command: ["/bin/app", 7, "--x=1"]
    attestation:
      - signer: {mrsigner: "${MRENCLAVE}", isvprodid: 6, isvsvn_min: 2, isvsvn_max: 5}
      - tdx: {mrtd: ${h96}, rtmr3: ${h96}}
      - snp: {measurement: ${h96}, host_data: "${'c'.repeat(64)}", family: Genoa, min_tcb: {snp: 8}}
      - nitro: {pcr0: ${h96}}
`);
  const s = accepted(parseSession(text));
  const lower = h96.toLowerCase();
  assert.deepEqual(s.services[0]?.command, ['/bin/app', '7', '--x=1']);
  assert.deepEqual(s.services[0]?.attestation, [
    { signer: { mrsigner: MRENCLAVE, isvprodid: 6, isvsvn_min: 2, isvsvn_max: 5 } },
    { tdx: { mrtd: lower, rtmr3: lower } },
    {
      snp: { measurement: lower, host_data: 'c'.repeat(64), family: 'Genoa', min_tcb: { snp: 8 } },
    },
    { nitro: { pcr0: lower } },
  ]);
});

test('mode none needs no attestation; environment numbers keep their text', () => {
  const text = session(`security: {attestation: {mode: none}}
services:
  - name: s
    command: x
    environment: {SCONE_LOG: 7, SIZE: 1.6, ON: true, HEX: 0x1F}
`);
  const s = accepted(parseSession(text));
  assert.deepEqual(s.services[0]?.environment, {
    SCONE_LOG: '7',
    SIZE: '1.6',
    ON: 'true',
    HEX: '0x1F',
  });
  assert.equal(s.security.attestation.mode, 'none');
});

test('secrets: hex is binary, dns folds into san, durations are seconds, defaults filled', () => {
  const text = session(`secrets:
  - {name: b, kind: hex, size: 32}
  - {name: a, kind: ascii}
  - {name: k, kind: private-key}
  - {name: ca, kind: x509-ca, private_key: k, valid_for: 90 days}
  - name: c
    kind: x509
    private_key: k
    issuer: ca
    dns: [Example.com, www.example.com]
    san: ["ip:10.0.0.1"]
    valid_for: 24h
    endpoint: client
  - {name: imp, import: {session: other/s, secret: x}}
  - {name: pub, kind: public-key, private_key: k}
`);
  const s = accepted(parseSession(text));
  assert.deepEqual(s.secrets, [
    { name: 'b', kind: 'binary', size: 32 },
    { name: 'a', kind: 'ascii', size: 20 },
    { name: 'k', kind: 'private-key', key_type: 'P-256' },
    { name: 'ca', kind: 'x509-ca', private_key: 'k', valid_for: 90 * 86400, common_name: 'ca' },
    {
      name: 'c',
      kind: 'x509',
      private_key: 'k',
      issuer: 'ca',
      endpoint: 'client',
      valid_for: 86400,
      san: ['dns:example.com', 'dns:www.example.com', 'ip:10.0.0.1'],
      common_name: 'example.com',
    },
    { name: 'imp', import: { session: 'other/s', secret: 'x' } },
    { name: 'pub', kind: 'public-key', private_key: 'k' },
  ]);
});

test('imports and exports resolve relative names; a single export map is a list', () => {
  const text = `name: ns/app
version: "0.3.10"
salt: "${'0'.repeat(32)}"
secrets:
  - {name: s, kind: ascii, value: v, export: {session: ../peer, allow_weaker_attestation: true}}
  - {name: t, kind: binary, export: [{namespace: ./kids}, {session: abs, session_hash: "${MRENCLAVE}"}]}
  - {name: i, kind: ascii, import: {session: ../exp, secret: x}}
`;
  const s = accepted(parseSession(text));
  assert.deepEqual(s.secrets[0]?.export, [{ session: 'ns/peer', allow_weaker_attestation: true }]);
  assert.deepEqual(s.secrets[1]?.export, [
    { namespace: 'ns/app/kids' },
    { session: 'abs', session_hash: MRENCLAVE },
  ]);
  assert.deepEqual(s.secrets[2]?.import, { session: 'ns/exp', secret: 'x' });
  assert.equal(s.salt, '0'.repeat(32));
});

test('permission: strings and leading-zero literals are octal, from the source text', () => {
  const files = ['"0600"', '"0o640"', '0644', '0o755', '00'];
  const text = session(
    `images:\n  - name: i\n    injection_files:\n${files.map((p, i) => `      - {path: /f${i}, content: x, permission: ${p}}\n`).join('')}      - /read/at/start\n`,
  );
  const s = accepted(parseSession(text));
  assert.deepEqual(
    s.images[0]?.injection_files.map((f) => f.permission),
    [0o600, 0o640, 0o644, 0o755, 0, 0o700],
  );
  assert.deepEqual(s.images[0]?.injection_files[5], { path: '/read/at/start', permission: 0o700 });
  for (const bad of ['644', '"644"', '0800', '"rw"', '01777', 'true']) {
    const res = parseSession(
      session(`images: [{name: i, injection_files: [{path: /f, permission: ${bad}}]}]\n`),
    );
    assert.ok(!res.ok && res.issues.some((i) => i.code === 'CAS_POLICY_BAD_PERMISSION'), bad);
  }
});

test('version: quoted, unquoted and minor versions', () => {
  for (const v of ['"0.3"', '0.3', '0.3.10', "'0.3.12'", '"0.3.0"']) {
    const s = accepted(parseSession(`name: a\nversion: ${v}\n`));
    assert.equal(s.version, v.replace(/["']/g, ''));
  }
  for (const v of ['"0.4"', '0.30', '"0.3.13"', '3', '"0.3.1.1"']) {
    const res = parseSession(`name: a\nversion: ${v}\n`);
    assert.ok(!res.ok && res.issues.some((i) => i.code === 'CAS_POLICY_UNSUPPORTED_VERSION'), v);
  }
});

test('the normalised session is deeply frozen', () => {
  const s = accepted(parseSession(session(SERVICE)));
  assert.ok(Object.isFrozen(s));
  assert.ok(Object.isFrozen(s.services[0]?.attestation[0]?.mrenclave));
  assert.throws(() => {
    (s.access_policy.read as string[]).push('ANY');
  }, TypeError);
});

test('template variables: -e wins over the environment, which is used only with useEnv', () => {
  const text = 'name: ${A}-$B\nversion: "0.3"\n';
  const both = accepted(
    parseSession(text, { vars: { A: 'x' }, useEnv: true, env: { A: 'env', B: 'y' } }),
  );
  assert.equal(both.name, 'x-y');
  const noEnv = parseSession(text, { vars: { A: 'x' }, env: { B: 'y' } });
  assert.ok(!noEnv.ok);
  assert.deepEqual(
    noEnv.issues.map((i) => [i.code, i.line, i.column]),
    [['CAS_POLICY_TEMPLATE_VARIABLE_MISSING', 1, 12]],
  );
  const literal = accepted(parseSession('name: a\nversion: "0.3"\nservices: []\n# $NOT_NEEDED\n'));
  assert.equal(literal.name, 'a');
});

test('positions after a multi-line substitution still point into the file', () => {
  const text = 'name: a\nversion: "0.3"\n$BLOCK\nbogus: 1\n';
  const res = parseSession(text, { vars: { BLOCK: 'services: []\nimages: []\nsecrets: []' } });
  assert.ok(!res.ok);
  assert.deepEqual(
    res.issues.map((i) => [i.code, i.path, i.line, i.column]),
    [['CAS_POLICY_UNKNOWN_KEY', 'bogus', 4, 1]],
  );
});

test('an environment variable named __proto__ is kept as data', () => {
  const text = session(`${SERVICE}    environment: {__proto__: x, constructor: y}\n`);
  const s = accepted(parseSession(text));
  const env = s.services[0]?.environment ?? {};
  assert.deepEqual(Object.keys(env), ['__proto__', 'constructor']);
  assert.equal(Object.getPrototypeOf(env), Object.prototype);
});

test('placeholders in pwd are checked too', () => {
  const res = parseSession(session(`${SERVICE}    pwd: /data/$$SCONE::nope$$\n`));
  assert.ok(
    !res.ok &&
      res.issues.some(
        (i) => i.code === 'CAS_POLICY_UNKNOWN_SECRET' && i.path === 'services[0].pwd',
      ),
  );
});

test('public and config-fragment values need no salt', () => {
  const text = session(
    'secrets:\n  - {name: f, kind: config-fragment, value: {a: 1}}\n  - {name: p, kind: ascii, value: hi, export_public: true}\n',
  );
  const res = parseSession(text);
  assert.ok(res.ok);
  assert.deepEqual(res.warnings, []);
});

test('the substituted text is returned for upload, and the CAS can parse it without substituting', () => {
  const text =
    'name: $N\nversion: "0.3"\nservices:\n  - {name: s, command: "echo $$HOME", mrenclaves: ["$M"]}\n';
  const res = parseSession(text, { vars: { N: 'app', M: MRENCLAVE } });
  assert.ok(res.ok);
  assert.equal(res.text, text.replace('$N', 'app').replace('$M', MRENCLAVE));
  const again = parseSession(
    `${res.text}# uses $LITERAL\nsecrets: [{name: s, kind: ascii, value: "$HOME"}]\n`,
    {
      substitute: false,
    },
  );
  assert.ok(again.ok, JSON.stringify(!again.ok && again.issues));
  assert.equal(again.session.secrets[0]?.value, '$HOME');
});

test('explicit key values must be of a supported type', () => {
  const pem = (k: ReturnType<typeof generateKeyPairSync>['privateKey']): string =>
    k.export({ type: 'pkcs8', format: 'pem' }).toString();
  const block = (text: string): string => text.trim().split('\n').join('\n      ');
  const good = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  const bad = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey;
  const text = (p: string): string =>
    `name: a\nversion: "0.3"\nsalt: "${'1'.repeat(32)}"\nsecrets:\n  - name: k\n    kind: private-key\n    value: |\n      ${block(p)}\n`;
  const ok = parseSession(text(pem(good)));
  assert.ok(ok.ok, JSON.stringify(!ok.ok && ok.issues));
  const res = parseSession(text(pem(bad)));
  assert.ok(!res.ok);
  assert.deepEqual(
    res.issues.map((i) => [i.code, i.path]),
    [['CAS_POLICY_BAD_VALUE', 'secrets[0].value']],
  );
  assert.match(res.issues[0]?.message ?? '', /supported type/);
});
