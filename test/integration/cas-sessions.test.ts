import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadForProvisioning } from '../../src/core/sessions/load-for-provisioning.js';
import type { Identity } from '../../src/crypto/identity.js';
import {
  call,
  codeOf,
  generateIdentity,
  provision,
  startTestCas,
  type TestCas,
} from './helpers/cas-harness.js';

const EXPLICIT = 'hunter2-explicit-value-0123456789';

function sessionYaml(
  name: string,
  options: { predecessor?: string; read?: string; extra?: string } = {},
): string {
  return [
    'version: "0.3.10"',
    `name: ${name}`,
    ...(options.predecessor === undefined ? [] : [`predecessor: ${options.predecessor}`]),
    'salt: "00112233445566778899aabbccddeeff"',
    'security:',
    '  attestation:',
    '    mode: none',
    'services:',
    '  - name: app',
    '    command: /bin/app --password $$SCONE::password$$',
    'secrets:',
    '  - name: password',
    '    kind: ascii',
    '    size: 24',
    '  - name: given',
    '    kind: ascii',
    `    value: "${EXPLICIT}"`,
    ...(options.read === undefined
      ? []
      : ['access_policy:', `  read: [${options.read}]`, '  update: [CREATOR]']),
    ...(options.extra === undefined ? [] : [options.extra]),
    '',
  ].join('\n');
}

function hashOf(r: { body: unknown }): string {
  return (r.body as { hash: string }).hash;
}

describe('sessions over mutual TLS', () => {
  let cas: TestCas;
  let alice: Identity;
  let bob: Identity;
  let dbDir: string;
  let stateDir: string;
  before(async () => {
    dbDir = mkdtempSync(join(tmpdir(), 'cas-sqlite-'));
    stateDir = mkdtempSync(join(tmpdir(), 'cas-state-'));
    cas = await startTestCas({ sqliteDir: dbDir, stateDir });
    alice = await generateIdentity();
    bob = await generateIdentity();
    assert.equal((await provision(cas, await generateIdentity())).status, 200);
    (globalThis as Record<string, unknown>)['__restart'] = async () => {
      await cas.stop();
      cas = await startTestCas({ sqliteDir: dbDir, stateDir });
    };
  });
  after(() => cas.stop());

  let firstHash = '';

  test('create returns the hash; creating the same name again is refused', async () => {
    const r = await call(cas.port, 'POST', '/session', {
      identity: alice,
      body: sessionYaml('shop'),
    });
    assert.equal(r.status, 201, r.text);
    firstHash = hashOf(r);
    assert.match(firstHash, /^[0-9a-f]{64}$/);
    const again = await call(cas.port, 'POST', '/session', {
      identity: alice,
      body: sessionYaml('shop'),
    });
    assert.equal(again.status, 409);
    assert.equal(codeOf(again), 'CAS_SESSION_EXISTS');
  });

  test('a session without a client certificate is refused', async () => {
    const r = await call(cas.port, 'POST', '/session', { body: sessionYaml('nocert') });
    assert.equal(r.status, 401);
    assert.equal(codeOf(r), 'CAS_SERVER_CLIENT_CERT_REQUIRED');
  });

  test('an invalid session is a 400 listing every issue, nothing stored', async () => {
    const r = await call(cas.port, 'POST', '/session', {
      identity: alice,
      body: 'name: broken\nversion: "0.3"\nservices: 3\nbogus: 1\n',
    });
    assert.equal(r.status, 400);
    assert.equal(codeOf(r), 'CAS_POLICY_INVALID');
    const issues = (r.body as { error: { details: { issues: unknown[] } } }).error.details.issues;
    assert.ok(issues.length >= 2, JSON.stringify(issues));
    const read = await call(cas.port, 'GET', '/v1/sessions/broken', { identity: alice });
    assert.equal(codeOf(read), 'CAS_SESSION_NOT_FOUND');
  });

  test('an oversized session body is a coded 413 and the CAS keeps serving', async () => {
    const huge = sessionYaml('huge') + `# ${'x'.repeat(1100 * 1024)}\n`;
    const r = await call(cas.port, 'POST', '/session', { identity: alice, body: huge });
    assert.equal(r.status, 413);
    assert.equal(codeOf(r), 'CAS_SERVER_BODY_TOO_LARGE');
    assert.equal((await call(cas.port, 'GET', '/health')).status, 200);
  });

  test('read returns the session with explicit values redacted and no generated values', async () => {
    const r = await call(cas.port, 'GET', '/v1/sessions/shop', { identity: alice });
    assert.equal(r.status, 200, r.text);
    const body = r.body as { session: string; hash: string; creator: string };
    assert.equal(body.hash, firstHash);
    assert.ok(!body.session.includes(EXPLICIT));
    assert.match(body.session, /<redacted>/);
    assert.match(body.creator, /BEGIN CERTIFICATE/);
  });

  test('a read by an identity not in read is a 404, like an absent session', async () => {
    const denied = await call(cas.port, 'GET', '/v1/sessions/shop', { identity: bob });
    const absent = await call(cas.port, 'GET', '/v1/sessions/nothing-here', { identity: bob });
    for (const r of [denied, absent]) {
      assert.equal(r.status, 404);
      assert.equal(codeOf(r), 'CAS_SESSION_NOT_FOUND');
    }
    assert.equal(denied.text.replaceAll('shop', 'X'), absent.text.replaceAll('nothing-here', 'X'));
  });

  test('an update by an identity not in update is refused', async () => {
    const open = await call(cas.port, 'POST', '/session', {
      identity: alice,
      body: sessionYaml('readable', { read: 'ANY' }),
    });
    assert.equal(open.status, 201, open.text);
    const r = await call(cas.port, 'PUT', '/session', {
      identity: bob,
      body: sessionYaml('readable', { predecessor: hashOf(open), read: 'ANY' }),
    });
    assert.equal(r.status, 403);
    assert.equal(codeOf(r), 'CAS_SESSION_UPDATE_DENIED');
    const hidden = await call(cas.port, 'PUT', '/session', {
      identity: bob,
      body: sessionYaml('shop', { predecessor: firstHash }),
    });
    assert.equal(codeOf(hidden), 'CAS_SESSION_NOT_FOUND', 'a non-reader does not learn it exists');
  });

  test('two concurrent updates with the same predecessor: exactly one wins', async () => {
    const bodies = ['a', 'b'].map((tag) =>
      sessionYaml('shop', { predecessor: firstHash, extra: `images:\n  - name: img-${tag}\n` }),
    );
    const results = await Promise.all(
      bodies.map((body) => call(cas.port, 'PUT', '/session', { identity: alice, body })),
    );
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 409], results.map((r) => r.text).join('\n'));
    const loser = results.find((r) => r.status === 409)!;
    assert.equal(codeOf(loser), 'CAS_SESSION_STALE_PREDECESSOR');
    const winner = results.find((r) => r.status === 200)!;
    firstHash = hashOf(winner);
  });

  test('an update with a stale predecessor is a 409', async () => {
    const r = await call(cas.port, 'PUT', '/session', {
      identity: alice,
      body: sessionYaml('shop', { predecessor: 'ab'.repeat(32) }),
    });
    assert.equal(r.status, 409);
    assert.equal(codeOf(r), 'CAS_SESSION_STALE_PREDECESSOR');
  });

  test('create with predecessor equal to the active hash updates (amendment 3)', async () => {
    const r = await call(cas.port, 'POST', '/session', {
      identity: alice,
      body: sessionYaml('shop', { predecessor: firstHash }),
    });
    assert.equal(r.status, 200, r.text);
    const read = await call(cas.port, 'GET', '/v1/sessions/shop', { identity: alice });
    const body = read.body as { hash: string; history: string[] };
    assert.equal(body.hash, hashOf(r));
    assert.equal(body.history.length, 3);
    firstHash = body.hash;
  });

  test('namespaces: a/b needs session a and its create_sessions; NS~x needs NS', async () => {
    const noNs = await call(cas.port, 'POST', '/session', {
      identity: alice,
      body: sessionYaml('team/app'),
    });
    assert.equal(noNs.status, 403);
    assert.equal(codeOf(noNs), 'CAS_SESSION_NAMESPACE_DENIED');
    assert.equal(
      (await call(cas.port, 'POST', '/session', { identity: alice, body: sessionYaml('team') }))
        .status,
      201,
    );
    const byBob = await call(cas.port, 'POST', '/session', {
      identity: bob,
      body: sessionYaml('team/bobs'),
    });
    assert.equal(codeOf(byBob), 'CAS_SESSION_NAMESPACE_DENIED');
    const tilde = await call(cas.port, 'POST', '/session', {
      identity: bob,
      body: sessionYaml('team~bobs'),
    });
    assert.equal(codeOf(tilde), 'CAS_SESSION_NAMESPACE_DENIED');
    assert.equal(
      (await call(cas.port, 'POST', '/session', { identity: alice, body: sessionYaml('team/app') }))
        .status,
      201,
    );
    assert.equal(
      (await call(cas.port, 'POST', '/session', { identity: alice, body: sessionYaml('team~x') }))
        .status,
      201,
    );
    const list = await call(cas.port, 'GET', '/v1/sessions?namespace=team', { identity: alice });
    assert.deepEqual((list.body as { sessions: string[] }).sessions, ['team/app', 'team~x']);
    const bobList = await call(cas.port, 'GET', '/v1/sessions?namespace=team', { identity: bob });
    assert.equal(codeOf(bobList), 'CAS_SESSION_NOT_FOUND');
  });

  test('secrets are generated, kept apart, and reach provisioning', async () => {
    const loaded = await loadForProvisioning(cas.rt.store(), 'shop');
    assert.ok(loaded);
    assert.equal(loaded.hash, firstHash);
    const password = loaded.values.get('password')!.reveal();
    assert.equal(password.kind, 'ascii');
    assert.equal((password as { text: string }).text.length, 24);
  });

  test('no secret value or session body is in any database file, and none in the log', async () => {
    const loaded = await loadForProvisioning(cas.rt.store(), 'shop');
    const password = (loaded!.values.get('password')!.reveal() as { text: string }).text;
    for (const file of readdirSync(dbDir)) {
      const bytes = readFileSync(join(dbDir, file));
      for (const needle of [password, EXPLICIT, '/bin/app --password', 'kind: ascii']) {
        assert.ok(!bytes.includes(Buffer.from(needle)), `${file} holds ${needle.slice(0, 12)}...`);
      }
    }
    assert.ok(!cas.log().includes(password));
    assert.ok(!cas.log().includes(EXPLICIT));
  });

  test('export_public values are served without a client certificate; others are not', async () => {
    const body = sessionYaml('pub', { extra: '' }).replace(
      '    size: 24\n',
      '    size: 24\n    export_public: true\n',
    );
    assert.equal((await call(cas.port, 'POST', '/session', { identity: alice, body })).status, 201);
    const all = await call(cas.port, 'GET', '/v1/values/session=pub');
    assert.equal(all.status, 200, all.text);
    const values = (all.body as { values: Record<string, { value: string }> }).values;
    assert.deepEqual(Object.keys(values), ['password']);
    assert.equal(values['password']!.value.length, 24);
    const one = await call(cas.port, 'GET', '/v1/values/session=pub,secret=password');
    assert.equal((one.body as { value: string }).value, values['password']!.value);
    const hidden = await call(cas.port, 'GET', '/v1/values/session=pub,secret=given');
    assert.equal(hidden.status, 404);
    assert.equal(codeOf(hidden), 'CAS_SESSION_NOT_FOUND');
    const none = await call(cas.port, 'GET', '/v1/values/session=shop');
    assert.equal(codeOf(none), 'CAS_SESSION_NOT_FOUND');
    const bad = await call(cas.port, 'GET', '/v1/values/nonsense');
    assert.equal(codeOf(bad), 'CAS_SERVER_BAD_REQUEST');
  });

  test('restarting the CAS loses nothing', async () => {
    await (globalThis as unknown as { __restart: () => Promise<void> }).__restart();
    assert.equal(cas.rt.state, 'provisioned');
    const r = await call(cas.port, 'GET', '/v1/sessions/shop', { identity: alice });
    assert.equal(r.status, 200, r.text);
    assert.equal((r.body as { hash: string }).hash, firstHash);
  });
});
