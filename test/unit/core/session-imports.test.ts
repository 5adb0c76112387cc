import assert from 'node:assert/strict';
import { X509Certificate, randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import type { CasRuntime } from '../../../src/core/cas-runtime.js';
import type { Caller } from '../../../src/core/caller.js';
import { createSession } from '../../../src/core/sessions/create-session.js';
import { loadForProvisioning } from '../../../src/core/sessions/load-for-provisioning.js';
import { ProvisioningCache } from '../../../src/core/sessions/provisioning-cache.js';
import { readSecrets } from '../../../src/core/sessions/session-records.js';
import { updateSession } from '../../../src/core/sessions/update-session.js';
import { generateIdentity } from '../../../src/crypto/identity.js';
import type { CertificateData } from '../../../src/secrets/secret-value.js';
import { provisionedRuntime } from './provisioned-runtime.js';

function session(name: string, secrets: string, predecessor?: string): string {
  return `version: "0.3.10"
name: ${name}
${predecessor === undefined ? '' : `predecessor: ${predecessor}\n`}security:
  attestation:
    mode: none
services: []
secrets:
${secrets}`;
}

function cert(
  loaded: Awaited<ReturnType<typeof loadForProvisioning>>,
  name: string,
): CertificateData {
  const data = loaded?.values.get(name)?.reveal();
  assert.ok(data !== undefined && (data.kind === 'x509' || data.kind === 'x509-ca'), name);
  return data;
}

describe('imports resolved by the sharing rules of the secrets layer', () => {
  const clock = { now: new Date('2026-01-01T00:00:00Z') };
  let rt: CasRuntime;
  let alice: Caller;
  before(async () => {
    rt = await provisionedRuntime(clock);
    const id = await generateIdentity();
    alice = { keyHash: id.keyHash, certPem: id.certPem };
  });

  test('a certificate comes without its private key unless the key is exported too', async () => {
    await createSession(
      rt,
      alice,
      session(
        'ca-owner',
        `  - {name: k1, kind: private-key}
  - {name: ca1, kind: x509-ca, private_key: k1, export: [{session: gets-cert}, {session: gets-key}]}
  - {name: k2, kind: private-key, export: [{session: gets-key}]}
  - {name: ca2, kind: x509-ca, private_key: k2, export: [{session: gets-cert}, {session: gets-key}]}
`,
      ),
    );
    const imports = `  - {name: a, kind: x509-ca, import: {session: ca-owner, secret: ca1}}
  - {name: b, kind: x509-ca, import: {session: ca-owner, secret: ca2}}
`;
    await createSession(rt, alice, session('gets-cert', imports));
    await createSession(rt, alice, session('gets-key', imports));
    const onlyCert = await loadForProvisioning(rt.store(), 'gets-cert');
    assert.equal(cert(onlyCert, 'a').private_key_pem, undefined);
    assert.equal(cert(onlyCert, 'b').private_key_pem, undefined, 'key exported to someone else');
    const withKey = await loadForProvisioning(rt.store(), 'gets-key');
    assert.equal(cert(withKey, 'a').private_key_pem, undefined, 'key generated with it: never');
    assert.match(cert(withKey, 'b').private_key_pem ?? '', /PRIVATE KEY/);
  });

  test('a session_hash pin matches whatever the case; a namespace export reaches nested sessions', async () => {
    await createSession(rt, alice, session('org', '  - {name: x, kind: ascii, size: 4}\n'));
    await createSession(rt, alice, session('org/team', '  - {name: x, kind: ascii, size: 4}\n'));
    const body = `  - {name: s, kind: ascii, import: {session: pin-exp, secret: s}}\n`;
    const pinned = await createSession(rt, alice, session('pinned', body));
    await createSession(
      rt,
      alice,
      session(
        'pin-exp',
        `  - {name: s, kind: ascii, size: 8, export: [{session: pinned, session_hash: ${pinned.hash.toUpperCase()}}, {namespace: org}]}\n`,
      ),
    );
    await createSession(rt, alice, session('org/team/app', body));
    for (const name of ['pinned', 'org/team/app']) {
      const loaded = await loadForProvisioning(rt.store(), name);
      assert.equal(loaded?.values.get('s')?.reveal().kind, 'ascii', name);
    }
  });

  test('an updated exporter is seen by the importer at once, cache or not', async () => {
    const cache = new ProvisioningCache();
    const exp = await createSession(
      rt,
      alice,
      session('upd-exp', '  - {name: s, kind: ascii, size: 8, export: [{session: upd-imp}]}\n'),
    );
    await createSession(
      rt,
      alice,
      session('upd-imp', '  - {name: s, kind: ascii, import: {session: upd-exp, secret: s}}\n'),
    );
    const first = await loadForProvisioning(rt.store(), 'upd-imp', cache);
    assert.equal(await loadForProvisioning(rt.store(), 'upd-imp', cache), first, 'cached');
    await updateSession(
      rt,
      alice,
      session(
        'upd-exp',
        '  - {name: s, kind: ascii, size: 12, export: [{session: upd-imp}]}\n',
        exp.hash,
      ),
    );
    const second = await loadForProvisioning(rt.store(), 'upd-imp', cache);
    const value = second?.values.get('s')?.reveal();
    assert.ok(value?.kind === 'ascii');
    assert.equal(value.text.length, 12, 'the new value, not the cached one');
  });

  test('a certificate issued by an imported CA (key exported) verifies against the exporter CA', async () => {
    await createSession(
      rt,
      alice,
      session(
        'root',
        `  - {name: ca_key, kind: private-key, export: [{session: leaf}]}
  - {name: ca, kind: x509-ca, private_key: ca_key, export: [{session: leaf}]}
`,
      ),
    );
    await createSession(
      rt,
      alice,
      session(
        'leaf',
        `  - {name: ca, kind: x509-ca, import: {session: root, secret: ca}}
  - {name: k, kind: private-key}
  - {name: server, kind: x509, private_key: k, issuer: ca, common_name: leaf}
`,
      ),
    );
    const root = await loadForProvisioning(rt.store(), 'root');
    const leaf = await loadForProvisioning(rt.store(), 'leaf');
    const caCert = new X509Certificate(cert(root, 'ca').certificate_pem);
    const server = new X509Certificate(cert(leaf, 'server').certificate_pem);
    assert.ok(server.verify(caCert.publicKey), 'signed by the exporter CA');
    assert.ok(server.checkIssued(caCert));
    const stored = await rt.store().transaction((tx) => readSecrets(tx, 'leaf'));
    assert.equal(Object.hasOwn(stored, 'ca'), false, 'the imported CA is not copied into leaf');
  });

  test('an expired certificate is re-issued when provisioned, and stored', async () => {
    clock.now = new Date('2026-01-01T00:00:00Z');
    await createSession(
      rt,
      alice,
      session(
        'short',
        `  - {name: k, kind: private-key}
  - {name: c, kind: x509-ca, private_key: k, valid_for: 2 days}
  - {name: pw, kind: ascii, size: 8}
`,
      ),
    );
    const renew = () => ({ now: clock.now, randomBytes: (n: number) => randomBytes(n) });
    const cache = new ProvisioningCache();
    const before = await loadForProvisioning(rt.store(), 'short', { cache, renew: renew() });
    clock.now = new Date('2026-01-10T00:00:00Z');
    const after = await loadForProvisioning(rt.store(), 'short', { cache, renew: renew() });
    assert.notEqual(cert(after, 'c').certificate_pem, cert(before, 'c').certificate_pem);
    assert.ok(new Date(cert(after, 'c').not_after) > clock.now, 'valid again');
    assert.deepEqual(after?.values.get('pw'), before?.values.get('pw'), 'others kept');
    const again = await loadForProvisioning(rt.store(), 'short', { renew: renew() });
    assert.equal(cert(again, 'c').certificate_pem, cert(after, 'c').certificate_pem, 'stored');
  });
});
