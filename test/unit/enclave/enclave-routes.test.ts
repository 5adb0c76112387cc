import assert from 'node:assert/strict';
import { connect, createSecureContext } from 'node:tls';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { workloadBinding } from '../../../src/crypto/workload-binding.js';
import { generateIdentity, type Identity } from '../../../src/crypto/identity.js';
import { isCasError } from '../../../src/errors/cas-error.js';
import { openEnclaveConnection } from '../../../src/launcher/enclave-client.js';
import { signSimReport } from '../../../src/attestation/sim/sim-report.js';
import { startEnclaveTestServer } from './enclave-test-server.js';
import { demoSession, fakeDeps, MEASUREMENT, simWorld } from './fixtures.js';

let app: FastifyInstance;
let server: Identity;
let port: number;
const world = simWorld();
const deps = fakeDeps({ demo: demoSession() });

before(async () => {
  ({ app, identity: server, port } = await startEnclaveTestServer(deps));
});

after(() => app.close());

async function workload() {
  const id = await generateIdentity();
  const spki = id.certificate.publicKey.export({ type: 'spki', format: 'der' });
  const conn = await openEnclaveConnection(
    { host: '127.0.0.1', port },
    { keyPem: id.keyPem(), certPem: id.certPem },
    { casKeyHash: server.keyHash },
  );
  const evidenceFor = (nonce: Buffer, measurement = MEASUREMENT) =>
    Buffer.from(
      signSimReport({ measurement, reportData: workloadBinding(nonce, spki) }, world.platform),
    ).toString('base64');
  return { conn, evidenceFor };
}

/** What {@link challenged} hands a test: a workload's connection after its challenge. */
interface Challenged {
  readonly conn: Awaited<ReturnType<typeof workload>>['conn'];
  readonly nonce: Buffer;
  /** An attest body for `configId` with sim evidence of `measurement`, bound to nonce and key. */
  readonly body: (
    configId?: string,
    measurement?: string,
  ) => { config_id: string; nonce: string; evidence: { type: string; data: string } };
}

/** Runs `fn` on a fresh workload connection that has asked for its challenge, then closes it. */
async function challenged(fn: (w: Challenged) => Promise<void>): Promise<void> {
  const { conn, evidenceFor } = await workload();
  try {
    const nonce = await conn.challenge();
    const body = (configId = 'demo/app', measurement = MEASUREMENT) => ({
      config_id: configId,
      nonce: nonce.toString('hex'),
      evidence: { type: 'sim', data: evidenceFor(nonce, measurement) },
    });
    await fn({ conn, nonce, body });
  } finally {
    await conn.close();
  }
}

const code = (c: string) => (e: unknown) => {
  assert.ok(isCasError(e), String(e));
  assert.equal(e.code, c, e.message);
  return true;
};

test('challenge and attest on one TLS 1.3 connection yield the configuration', () =>
  challenged(async ({ conn, nonce, body }) => {
    assert.equal(nonce.length, 32);
    const config = await conn.attest(body());
    assert.deepEqual(config.argv, ['app', '--flag']);
    assert.equal(config.env['PASSWORD'], 'SECRET-PW');
    assert.deepEqual(config.files, [
      { path: '/etc/app.conf', mode: 0o600, content: Buffer.from('pw=SECRET-PW\n') },
    ]);
    assert.equal(config.simulation, true);
  }));

test('a nonce is single use: a second attest on the same connection is refused', () =>
  challenged(async ({ conn, body }) => {
    await conn.attest(body());
    await assert.rejects(conn.attest(body()), code('CAS_ENCLAVE_NONCE_UNKNOWN'));
  }));

test('evidence replayed on a second connection is refused', async () => {
  const first = await workload();
  const second = await workload();
  try {
    const nonce = await first.conn.challenge();
    const evidence = { type: 'sim', data: first.evidenceFor(nonce) };
    // Without a challenge of its own, the second connection holds no nonce.
    await assert.rejects(
      second.conn.attest({ config_id: 'demo/app', nonce: nonce.toString('hex'), evidence }),
      code('CAS_ENCLAVE_NONCE_UNKNOWN'),
    );
    // With its own challenge, the replayed evidence is bound to the wrong nonce and key.
    const own = await second.conn.challenge();
    await assert.rejects(
      second.conn.attest({ config_id: 'demo/app', nonce: own.toString('hex'), evidence }),
      (e: unknown) => {
        code('CAS_ATTESTATION_REFUSED')(e);
        return true;
      },
    );
  } finally {
    await first.conn.close();
    await second.conn.close();
  }
});

test('a refusal carries the category and the observed measurement only', () =>
  challenged(async ({ conn, body }) => {
    const seen = 'ee'.repeat(32);
    await assert.rejects(conn.attest(body('demo/app', seen)), (e: unknown) => {
      code('CAS_ATTESTATION_REFUSED')(e);
      const observed = (e as { details: { observed: { measurements: unknown } } }).details.observed;
      assert.deepEqual(observed.measurements, { mrenclave: seen });
      assert.ok(!JSON.stringify(e).includes(MEASUREMENT));
      return true;
    });
  }));

test('the launcher refuses a CAS whose chain lacks the pinned key', async () => {
  const id = await generateIdentity();
  const other = await generateIdentity();
  await assert.rejects(
    openEnclaveConnection(
      { host: '127.0.0.1', port },
      { keyPem: id.keyPem(), certPem: id.certPem },
      { casKeyHash: other.keyHash },
    ),
    code('CAS_LAUNCHER_CAS_UNTRUSTED'),
  );
  await assert.rejects(
    openEnclaveConnection(
      { host: '127.0.0.1', port },
      { keyPem: id.keyPem(), certPem: id.certPem },
      { softwareKeyHash: other.keyHash },
    ),
    code('CAS_LAUNCHER_CAS_UNTRUSTED'),
  );
});

test('a chain that passed the pins once is still checked against other pins', async () => {
  const id = await generateIdentity();
  const other = await generateIdentity();
  const key = {
    keyPem: id.keyPem(),
    certPem: id.certPem,
    // A caller that opens many connections passes the key already loaded.
    secureContext: createSecureContext({ key: id.keyPem(), cert: id.certPem }),
  };
  const open = (pins: { casKeyHash?: string; softwareKeyHash?: string }) =>
    openEnclaveConnection({ host: '127.0.0.1', port }, key, pins);
  for (let i = 0; i < 2; i++) {
    const conn = await open({ casKeyHash: server.keyHash });
    assert.equal((await conn.challenge()).length, 32);
    await conn.close();
  }
  // The same chain bytes, remembered as passed for the right pin, are refused for another one,
  // and a refusal is not remembered as a pass.
  for (let i = 0; i < 2; i++) {
    await assert.rejects(open({ casKeyHash: other.keyHash }), code('CAS_LAUNCHER_CAS_UNTRUSTED'));
    await assert.rejects(
      open({ casKeyHash: server.keyHash, softwareKeyHash: other.keyHash }),
      code('CAS_LAUNCHER_CAS_UNTRUSTED'),
    );
  }
});

test('a connection without a client certificate gets no challenge', async () => {
  const status = await new Promise<string>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      s.write(
        'POST /v1/enclave/challenge HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}',
      );
    });
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString()));
    s.on('end', () => resolve(text));
    s.on('error', reject);
  });
  assert.match(status, /^HTTP\/1.1 401/);
  assert.match(status, /CAS_ENCLAVE_CLIENT_CERT_REQUIRED/);
});

test('unpadded base64 evidence is a bad request, and it used up the nonce', () =>
  challenged(async ({ conn, body }) => {
    await assert.rejects(
      conn.attest({ ...body(), evidence: { type: 'sim', data: 'abc' } }),
      code('CAS_ENCLAVE_BAD_REQUEST'),
    );
  }));

test('an unreachable CAS is reported as such', async () => {
  const id = await generateIdentity();
  await assert.rejects(
    openEnclaveConnection(
      { host: '127.0.0.1', port: 1 },
      { keyPem: id.keyPem(), certPem: id.certPem },
      {},
    ),
    code('CAS_LAUNCHER_CAS_UNREACHABLE'),
  );
});

test('a malformed attest body also uses up the nonce', () =>
  challenged(async ({ conn, nonce, body }) => {
    await assert.rejects(
      conn.attest({ config_id: '', nonce: nonce.toString('hex') }),
      code('CAS_SERVER_BAD_REQUEST'),
    );
    await assert.rejects(conn.attest(body()), code('CAS_ENCLAVE_NONCE_UNKNOWN'));
  }));

test('a nonce echo that differs from the connection nonce is refused', () =>
  challenged(async ({ conn, body }) => {
    await assert.rejects(
      conn.attest({ ...body(), nonce: 'ab'.repeat(32) }),
      code('CAS_ENCLAVE_NONCE_UNKNOWN'),
    );
  }));

test('an unknown session is refused without saying which part is unknown', () =>
  challenged(async ({ conn, body }) => {
    await assert.rejects(conn.attest(body('nope/app')), (e: unknown) => {
      code('CAS_SESSION_UNKNOWN_OR_DENIED')(e);
      assert.ok(!JSON.stringify((e as { details: unknown }).details).includes('no such'));
      return true;
    });
  }));
