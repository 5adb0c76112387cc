import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { attestCas, type AttestExpectations } from '../../src/client/attest-cas.js';
import { createCasClient } from '../../src/client/cas-client.js';
import type { Identity } from '../../src/crypto/identity.js';
import { isCasError } from '../../src/errors/cas-error.js';
import { createLogger } from '../../src/http/logger.js';
import { startCasServers } from '../../src/http/server.js';
import {
  call,
  generateIdentity,
  MEASUREMENT,
  provision,
  startTestCas,
  type TestCas,
} from './helpers/cas-harness.js';

const relaxed: AttestExpectations = {
  allowDebug: true,
  allowOwnerSecretAccess: false,
  trustAny: false,
};

function coded(code: string, message?: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(isCasError(e), String(e));
    assert.equal(e.code, code, e.message);
    if (message !== undefined) assert.match(e.message, message);
    return true;
  };
}

describe('the CLI side: attesting and pinning a CAS', () => {
  let cas: TestCas;
  let other: TestCas;
  let owner: Identity;
  let addr: string;
  before(async () => {
    cas = await startTestCas();
    other = await startTestCas();
    owner = await generateIdentity();
    addr = `127.0.0.1:${cas.port}`;
  });
  after(async () => {
    await cas.stop();
    await other.stop();
  });

  test('a CAS in simulation mode is refused unless --only_for_testing-debug', async () => {
    await assert.rejects(
      attestCas(addr, { ...relaxed, allowDebug: false }),
      coded('CAS_SERVER_ATTESTATION_REFUSED', /--only_for_testing-debug/),
    );
    const ok = await attestCas(addr, relaxed);
    assert.equal(ok.casKeyHash, cas.rt.keys.casKeyHash);
    assert.equal(ok.softwareKeyHash, cas.rt.keys.softwareKeyHash);
  });

  const expectations: Array<[string, Partial<AttestExpectations>, RegExp]> = [
    ['wrong CAS key hash', { casKeyHash: 'nope' }, /\(-c\)/],
    ['wrong software key hash', { softwareKeyHash: 'nope' }, /\(-s\)/],
    ['wrong measurement', { mrenclave: 'cd'.repeat(32) }, new RegExp(MEASUREMENT)],
    [
      'a signer expected from simulated evidence',
      { signerExpected: true },
      /--only_for_testing-ignore-signer/,
    ],
  ];
  for (const [name, extra, message] of expectations) {
    test(`refused: ${name}`, async () => {
      await assert.rejects(
        attestCas(addr, { ...relaxed, ...extra }),
        coded('CAS_SERVER_ATTESTATION_REFUSED', message),
      );
    });
  }

  test('evidence relayed from another CAS does not match the connection', async () => {
    // A man in the middle with its own TLS key that relays the real CAS's answers.
    const mitm = createServer(
      { key: other.rt.keys.softwareKeyPem, cert: other.rt.keys.chainPem },
      (req, res) => {
        void call(cas.port, 'GET', req.url ?? '/').then((r) => {
          res.writeHead(r.status, { 'content-type': 'application/json' });
          res.end(r.text);
        });
      },
    );
    await new Promise<void>((resolve) => mitm.listen(0, '127.0.0.1', resolve));
    try {
      const port = (mitm.address() as AddressInfo).port;
      await assert.rejects(
        attestCas(`127.0.0.1:${port}`, relaxed),
        coded('CAS_SERVER_EVIDENCE_INVALID'),
      );
    } finally {
      mitm.close();
    }
  });

  test('a pinned client refuses a CAS with another software key', async () => {
    const client = createCasClient({
      address: addr,
      identity: owner,
      pin: { casCertPem: cas.rt.keys.casCertPem, softwareKeyHash: other.rt.keys.softwareKeyHash },
    });
    await assert.rejects(client.call('GET', '/health'), coded('CAS_SERVER_PIN_MISMATCH'));
    await client.close();
    const wrongCas = createCasClient({
      address: `127.0.0.1:${other.port}`,
      identity: owner,
      pin: { casCertPem: cas.rt.keys.casCertPem, softwareKeyHash: cas.rt.keys.softwareKeyHash },
    });
    await assert.rejects(wrongCas.call('GET', '/health'), coded('CAS_SERVER_PIN_MISMATCH'));
    await wrongCas.close();
    const right = createCasClient({
      address: addr,
      identity: owner,
      pin: { casCertPem: cas.rt.keys.casCertPem, softwareKeyHash: cas.rt.keys.softwareKeyHash },
    });
    assert.deepEqual(
      ((await right.call('GET', '/health')) as { state: string }).state,
      'unprovisioned',
    );
    await assert.rejects(right.call('GET', '/v1/sessions/x'), coded('CAS_SERVER_NOT_PROVISIONED'));
    await right.close();
  });

  test('an unreachable CAS and a non-CAS answer are coded', async () => {
    const closed = createCasClient({ address: '127.0.0.1:1' });
    await assert.rejects(closed.call('GET', '/health'), coded('CAS_SERVER_UNREACHABLE'));
    await closed.close();
    const notCas = createServer(
      { key: other.rt.keys.softwareKeyPem, cert: other.rt.keys.chainPem },
      (_req, res) => {
        res.end('<html>hello</html>');
      },
    );
    await new Promise<void>((resolve) => notCas.listen(0, '127.0.0.1', resolve));
    const client = createCasClient({
      address: `127.0.0.1:${(notCas.address() as AddressInfo).port}`,
    });
    await assert.rejects(client.call('GET', '/health'), coded('CAS_SERVER_UNEXPECTED_RESPONSE'));
    await client.close();
    notCas.close();
  });

  test('a CAS whose owner injected the database key says so and is refused without the flag', async () => {
    const res = await call(cas.port, 'POST', '/v1/provision', {
      identity: owner,
      body: {
        token: cas.rt.provisioningToken ?? '',
        cas_key_hash: cas.rt.keys.casKeyHash,
        owner_config: '',
        database_key: '0f'.repeat(32),
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body as { db_key_injected: boolean }).db_key_injected, true);
    await assert.rejects(
      attestCas(addr, relaxed),
      coded('CAS_SERVER_ATTESTATION_REFUSED', /--allow-cas-owner-secret-access/),
    );
    const ok = await attestCas(addr, { ...relaxed, allowOwnerSecretAccess: true });
    assert.equal(ok.evidence.claims.db_key_injected, true);
    assert.ok(!cas.log().includes('0f'.repeat(32)), 'the key is never logged');
  });

  test('a second listener on a used port is a coded failure', async () => {
    await provision(other, owner);
    await assert.rejects(
      startCasServers(other.rt, {
        apiListen: { host: '127.0.0.1', port: cas.port },
        enclaveListen: { host: '127.0.0.1', port: 0 },
        logger: createLogger({
          simulation: true,
          level: 'silent',
        }),
      }),
      coded('CAS_SERVER_LISTEN_FAILED'),
    );
  });
});
