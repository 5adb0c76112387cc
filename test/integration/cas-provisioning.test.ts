import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openSimReport } from '../../src/attestation/sim/sim-report.js';
import { selfReportData, type CasSelfEvidence } from '../../src/core/self-evidence.js';
import { keyHashOfCertificate } from '../../src/crypto/key-hash.js';
import type { Identity } from '../../src/crypto/identity.js';
import {
  call,
  codeOf,
  generateIdentity,
  provision,
  startTestCas,
  type TestCas,
} from './helpers/cas-harness.js';

describe('client API before and at provisioning', () => {
  let cas: TestCas;
  let owner: Identity;
  let other: Identity;
  before(async () => {
    cas = await startTestCas();
    owner = await generateIdentity();
    other = await generateIdentity();
  });
  after(() => cas.stop());

  test('health says unprovisioned and simulation, without a client certificate', async () => {
    const r = await call(cas.port, 'GET', '/health');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, {
      state: 'unprovisioned',
      platform_mode: 'sim',
      simulation: true,
      version: '0.1.0',
    });
  });

  test('metrics are Prometheus text without a client certificate', async () => {
    const r = await call(cas.port, 'GET', '/metrics');
    assert.equal(r.status, 200);
    assert.match(r.text, /# TYPE cas_http_requests_total counter/);
    assert.match(r.text, /cas_provisioned 0/);
  });

  test('the TLS chain is software key <- CAS key', async () => {
    const r = await call(cas.port, 'GET', '/health');
    assert.ok(r.peerCertificate);
    assert.equal(keyHashOfCertificate(r.peerCertificate), cas.rt.keys.softwareKeyHash);
  });

  test('self-evidence is a sim report bound to the nonce, the claims and the TLS key', async () => {
    const nonce = 'a1'.repeat(32);
    const r = await call(cas.port, 'GET', `/v1/attest?nonce=${nonce}`);
    assert.equal(r.status, 200);
    const ev = r.body as CasSelfEvidence;
    assert.equal(ev.type, 'sim');
    assert.equal(ev.claims.software_key_hash, keyHashOfCertificate(r.peerCertificate!));
    assert.equal(ev.claims.cas_key_hash, cas.rt.keys.casKeyHash);
    assert.equal(ev.claims.db_key_injected, false);
    assert.equal(ev.claims.platform_mode, 'sim');
    const report = openSimReport(Buffer.from(ev.evidence, 'base64'));
    assert.equal(
      report.body.report_data,
      selfReportData(Buffer.from(nonce, 'hex'), ev.claims).toString('hex'),
    );
  });

  test('a malformed nonce is a coded 400', async () => {
    const r = await call(cas.port, 'GET', '/v1/attest?nonce=xyz');
    assert.equal(r.status, 400);
    assert.equal(codeOf(r), 'CAS_SERVER_BAD_REQUEST');
  });

  test('unknown routes are coded 404s', async () => {
    const r = await call(cas.port, 'GET', '/nope');
    assert.equal(r.status, 404);
    assert.equal(codeOf(r), 'CAS_SERVER_ROUTE_NOT_FOUND');
  });

  test('session routes refuse before provisioning', async () => {
    const r = await call(cas.port, 'GET', '/v1/sessions/x', { identity: owner });
    assert.equal(r.status, 409);
    assert.equal(codeOf(r), 'CAS_SERVER_NOT_PROVISIONED');
  });

  const refusals: Array<{
    name: string;
    body: (c: TestCas) => object;
    identity: 'owner' | 'none';
    status: number;
    code: string;
  }> = [
    {
      name: 'no client certificate',
      identity: 'none',
      status: 401,
      code: 'CAS_SERVER_CLIENT_CERT_REQUIRED',
      body: (c) => ({
        token: c.rt.provisioningToken,
        cas_key_hash: c.rt.keys.casKeyHash,
        owner_config: '',
      }),
    },
    {
      name: 'wrong token',
      identity: 'owner',
      status: 403,
      code: 'CAS_SERVER_BAD_TOKEN',
      body: (c) => ({
        token: '00'.repeat(16),
        cas_key_hash: c.rt.keys.casKeyHash,
        owner_config: '',
      }),
    },
    {
      name: 'wrong CAS key hash',
      identity: 'owner',
      status: 403,
      code: 'CAS_SERVER_WRONG_CAS_KEY',
      body: (c) => ({ token: c.rt.provisioningToken, cas_key_hash: 'x', owner_config: '' }),
    },
    {
      name: 'unknown field',
      identity: 'owner',
      status: 400,
      code: 'CAS_SERVER_BAD_REQUEST',
      body: (c) => ({
        token: c.rt.provisioningToken,
        cas_key_hash: c.rt.keys.casKeyHash,
        owner_config: '',
        extra: 1,
      }),
    },
    {
      name: 'owner config with an unknown key',
      identity: 'owner',
      status: 400,
      code: 'CAS_CONFIG_UNKNOWN_KEY',
      body: (c) => ({
        token: c.rt.provisioningToken,
        cas_key_hash: c.rt.keys.casKeyHash,
        owner_config: 'bogus = 1\n',
      }),
    },
    {
      name: 'bad database key',
      identity: 'owner',
      status: 400,
      code: 'CAS_SERVER_DATABASE_KEY_INVALID',
      body: (c) => ({
        token: c.rt.provisioningToken,
        cas_key_hash: c.rt.keys.casKeyHash,
        owner_config: '',
        database_key: '12',
      }),
    },
  ];
  for (const r of refusals) {
    test(`provisioning refused: ${r.name}`, async () => {
      const res = await call(cas.port, 'POST', '/v1/provision', {
        identity: r.identity === 'owner' ? owner : undefined,
        body: r.body(cas),
      });
      assert.equal(res.status, r.status, res.text);
      assert.equal(codeOf(res), r.code);
      assert.equal(cas.rt.state, 'unprovisioned');
    });
  }

  test('malformed JSON is a coded 400', async () => {
    const res = await call(cas.port, 'POST', '/v1/provision', {
      identity: owner,
      body: '{"token":',
      contentType: 'application/json',
    });
    assert.equal(res.status, 400);
    assert.equal(codeOf(res), 'CAS_SERVER_BAD_REQUEST');
  });

  test('an oversized body is a coded 413', async () => {
    const res = await call(cas.port, 'POST', '/v1/provision', {
      identity: owner,
      body: { token: 'x'.repeat(200 * 1024) },
    });
    assert.equal(res.status, 413);
    assert.equal(codeOf(res), 'CAS_SERVER_BODY_TOO_LARGE');
  });

  test('the right token binds the owner; a second provisioning is refused', async () => {
    const token = cas.rt.provisioningToken;
    const res = await provision(cas, owner);
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body as { owner_key_hash: string }).owner_key_hash, owner.keyHash);
    assert.equal(cas.rt.state, 'provisioned');
    assert.equal(cas.rt.provisioningToken, undefined);
    const again = await call(cas.port, 'POST', '/v1/provision', {
      identity: other,
      body: { token, cas_key_hash: cas.rt.keys.casKeyHash, owner_config: '' },
    });
    assert.equal(again.status, 409);
    assert.equal(codeOf(again), 'CAS_SERVER_ALREADY_PROVISIONED');
    assert.ok(!cas.log().includes(token!), 'the token never reaches the log');
  });

  test('only the owner may update the owner config', async () => {
    const denied = await call(cas.port, 'PUT', '/v1/owner-config', {
      identity: other,
      body: { owner_config: '[api_identity]\ncommon_name = "x"\n' },
    });
    assert.equal(denied.status, 403);
    assert.equal(codeOf(denied), 'CAS_SERVER_NOT_OWNER');
    const bad = await call(cas.port, 'PUT', '/v1/owner-config', {
      identity: owner,
      body: { owner_config: '[api_identity]\ncommon_nam = "x"\n' },
    });
    assert.equal(codeOf(bad), 'CAS_CONFIG_UNKNOWN_KEY');
    const ok = await call(cas.port, 'PUT', '/v1/owner-config', {
      identity: owner,
      body: {
        owner_config:
          '[api_identity]\ncommon_name = "cas.example"\nalt_names = ["cas.example", "127.0.0.1"]\n',
      },
    });
    assert.equal(ok.status, 200, ok.text);
    const after = await call(cas.port, 'GET', '/health');
    assert.equal(
      keyHashOfCertificate(after.peerCertificate!),
      cas.rt.keys.softwareKeyHash,
      'same software key',
    );
  });
});

describe('provisioning attempts are rate-limited', () => {
  test('after ten attempts in a minute the CAS answers 429', async () => {
    const cas = await startTestCas();
    try {
      const owner = await generateIdentity();
      const codes: string[] = [];
      for (let i = 0; i < 11; i++) {
        const r = await call(cas.port, 'POST', '/v1/provision', {
          identity: owner,
          body: { token: 'ff'.repeat(16), cas_key_hash: cas.rt.keys.casKeyHash, owner_config: '' },
        });
        codes.push(codeOf(r) ?? String(r.status));
      }
      assert.deepEqual(codes.slice(0, 10), Array(10).fill('CAS_SERVER_BAD_TOKEN'));
      assert.equal(codes[10], 'CAS_SERVER_RATE_LIMITED');
      const right = await provision(cas, owner);
      assert.equal(codeOf(right), 'CAS_SERVER_RATE_LIMITED', 'even the right token waits');
    } finally {
      await cas.stop();
    }
  });
});
