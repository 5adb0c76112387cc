import assert from 'node:assert/strict';
import { Agent, request } from 'node:https';
import { after, before, describe, test } from 'node:test';
import type { Identity } from '../../src/crypto/identity.js';
import {
  call,
  generateIdentity,
  provision,
  startTestCas,
  type TestCas,
} from './helpers/cas-harness.js';

/** Posts JSON on a kept-alive connection of `agent` (challenge and attest share it). */
function post(
  agent: Agent,
  port: number,
  path: string,
  body: object,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const SESSION = (name: string, extra = ''): string => `version: "0.3.10"
name: ${name}
security:
  attestation:
    mode: none
services:
  - name: app
    command: /bin/app $$SCONE::pw$$
    environment:
      SHARED: "$$SCONE::shared$$"
secrets:
  - name: pw
    kind: ascii
    size: 16
${extra}`;

describe('the enclave API on this CAS', () => {
  let cas: TestCas;
  let alice: Identity;
  let workload: Identity;
  before(async () => {
    cas = await startTestCas();
    alice = await generateIdentity();
    workload = await generateIdentity();
    assert.equal((await provision(cas, alice)).status, 200);
  });
  after(() => cas.stop());

  test('a mode-none service gets its configuration, secrets and imports rendered', async () => {
    const exporter = `version: "0.3.10"
name: exporter
security:
  attestation:
    mode: none
services: []
secrets:
  - name: shared
    kind: ascii
    size: 12
    export:
      - session: importer
`;
    const e = await call(cas.port, 'POST', '/session', { identity: alice, body: exporter });
    assert.equal(e.status, 201, e.text);
    const i = await call(cas.port, 'POST', '/session', {
      identity: alice,
      body: SESSION(
        'importer',
        '  - name: shared\n    kind: ascii\n    import:\n      session: exporter\n      secret: shared\n',
      ),
    });
    assert.equal(i.status, 201, i.text);
    const agent = new Agent({
      keepAlive: true,
      maxSockets: 1,
      rejectUnauthorized: false,
      key: workload.keyPem(),
      cert: workload.certPem,
    });
    try {
      const port = cas.servers.enclaveAddress.port;
      const challenge = await post(agent, port, '/v1/enclave/challenge', {});
      assert.equal(challenge.status, 200, JSON.stringify(challenge.body));
      const attest = await post(agent, port, '/v1/enclave/attest', { config_id: 'importer/app' });
      assert.equal(attest.status, 200, JSON.stringify(attest.body));
      const config = attest.body as { argv: string[]; env: Record<string, string> };
      assert.equal(config.argv[0], '/bin/app');
      assert.equal(config.argv[1]!.length, 16);
      assert.equal(config.env['SHARED']!.length, 12);
    } finally {
      agent.destroy();
    }
  });
});
