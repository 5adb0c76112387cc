import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deserialize, serialize } from 'node:v8';
import { fastify, type FastifyInstance } from 'fastify';
import { attestWorkload, type ProvisionedConfig } from '../../../src/core/attest-workload.js';
import { CasError, isCasError } from '../../../src/errors/cas-error.js';
import { registerEnclaveRoutes } from '../../../src/http/enclave-api/register-enclave-routes.js';
import { installErrorMapping } from '../../../src/http/error-mapper.js';
import {
  answerRequest,
  configFromWire,
  createIpcClient,
  errorFromWire,
  errorToWire,
  inputFromWire,
  type IpcClient,
  type ToPrimary,
} from '../../../src/http/enclave-workers/ipc.js';
import { demoSession, fakeDeps } from '../enclave/fixtures.js';

/** What `serialization: 'advanced'` does to a message: a structured clone through v8. */
const overIpc = <T>(message: T): T => deserialize(serialize(message)) as T;

/** A worker's client wired to a primary that answers with `attest` (as primary.ts does). */
function loopback(
  attest: Parameters<typeof answerRequest>[1]['attest'],
  timeoutMs = 2000,
): IpcClient {
  const client: IpcClient = createIpcClient((message: ToPrimary) => {
    if (message.t !== 'req') return;
    void answerRequest(overIpc(message), {
      state: () => 'provisioned',
      attest,
      onInternal: () => undefined,
    }).then((answer) => client.onMessage(overIpc(answer)));
  }, timeoutMs);
  return client;
}

const input = {
  configId: 'demo/app',
  evidence: { type: 'sim', data: Buffer.from([1, 2, 3]) },
  nonce: Buffer.alloc(32, 7),
  peerSpki: Buffer.from('spki'),
};

const config: ProvisionedConfig = {
  session: 'demo',
  service: 'app',
  simulation: true,
  warnings: ['w'],
  argv: ['app'],
  env: { A: 'b' },
  pwd: '/',
  files: [
    { path: '/bin.dat', mode: 0o600, content: new Uint8Array([0, 255, 1]) },
    { path: '/t.txt', mode: 0o644, content: 'text' },
  ],
};

describe('enclave worker IPC codec', () => {
  test('the attest input and the configuration keep their bytes, as Buffers', async () => {
    let seen: unknown;
    const client = loopback((i) => {
      seen = i;
      return Promise.resolve(config);
    });
    const answer = configFromWire((await client.request('attest', input)) as ProvisionedConfig);
    assert.deepEqual(seen, input);
    const got = seen;
    assert.ok(Buffer.isBuffer(got.nonce) && Buffer.isBuffer(got.peerSpki));
    assert.ok(Buffer.isBuffer(got.evidence.data));
    assert.deepEqual(answer.files[0]?.content, Buffer.from([0, 255, 1]));
    assert.ok(Buffer.isBuffer(answer.files[0]?.content));
    assert.equal(answer.files[1]?.content, 'text');
    assert.deepEqual({ ...answer, files: [] }, { ...config, files: [] });
    assert.equal(await client.request('state'), 'provisioned');
  });

  test('an input without evidence stays without evidence', () => {
    const none = { configId: input.configId, nonce: input.nonce, peerSpki: input.peerSpki };
    const got = inputFromWire(overIpc(none));
    assert.equal('evidence' in got, false);
    assert.deepEqual(got, none);
  });

  test('a refusal is rethrown with the same code, message and details', async () => {
    const refusal = new CasError('CAS_ATTESTATION_REFUSED', 'measurement not accepted', {
      details: { observed: { mrenclave: 'ab' } },
    });
    const client = loopback(() => Promise.reject(refusal));
    await assert.rejects(client.request('attest', input), (e: unknown) => {
      assert.ok(isCasError(e));
      assert.deepEqual(e.toBody(), refusal.toBody());
      assert.equal(e.status, refusal.status);
      return true;
    });
  });

  test('a bug in the primary becomes a plain error (500 CAS_INTERNAL), without its text', async () => {
    const client = loopback(() => Promise.reject(new Error('secret-bearing stack')));
    await assert.rejects(client.request('attest', input), (e: unknown) => {
      assert.ok(!isCasError(e) && e instanceof Error);
      assert.doesNotMatch(e.message, /secret/);
      return true;
    });
    assert.deepEqual(errorToWire(new TypeError('x')), { internal: true });
    assert.ok(!isCasError(errorFromWire({ code: 'CAS_NOT_A_CODE', message: 'm' })));
  });

  test('no answer in time, or a closed channel, is CAS_SERVER_ENCLAVE_WORKER_NO_ANSWER', async () => {
    const silent = createIpcClient(() => undefined, 50);
    const noAnswer = (e: unknown): boolean =>
      isCasError(e) && e.code === 'CAS_SERVER_ENCLAVE_WORKER_NO_ANSWER';
    await assert.rejects(silent.request('attest', input), noAnswer);
    const closing = createIpcClient(() => undefined, 10_000);
    const pending = closing.request('state');
    closing.failAll();
    await assert.rejects(pending, noAnswer);
    const closed = createIpcClient(() => {
      throw new Error('channel closed');
    }, 10_000);
    await assert.rejects(closed.request('state'), noAnswer);
    // A late answer to a request that timed out is dropped, not delivered to another.
    assert.equal(silent.onMessage({ t: 'res', id: 1, ok: 'late' }), true);
  });
});

describe('the enclave routes answer alike in-process and through a worker', () => {
  const deps = fakeDeps({ demo: demoSession() });
  const facts = {
    connection: {},
    address: '127.0.0.1',
    peerSpki: Buffer.from('spki'),
    onClose: () => undefined,
  };

  function app(relayed: boolean): FastifyInstance {
    const a = fastify();
    installErrorMapping(a);
    const connectionOf = () => ({ ...facts, connection: a });
    if (relayed) {
      const client = loopback((i) => attestWorkload(deps, i));
      registerEnclaveRoutes(a, {
        now: deps.now,
        connectionOf,
        attest: async (i) =>
          configFromWire((await client.request('attest', i)) as ProvisionedConfig),
      });
    } else {
      registerEnclaveRoutes(a, { ...deps, connectionOf });
    }
    return a;
  }

  const bodies = [
    { config_id: 'demo/app' },
    { config_id: 'demo/app', evidence: { type: 'sim', data: 'AAAA' } },
    { config_id: 'nope/app', evidence: { type: 'sim', data: 'AAAA' } },
    { config_id: 'no-slash' },
  ];
  for (const body of bodies) {
    test(`same status and JSON body: ${JSON.stringify(body)}`, async () => {
      const answers = [];
      for (const relayed of [false, true]) {
        const a = app(relayed);
        await a.inject({ method: 'POST', url: '/v1/enclave/challenge' });
        const r = await a.inject({ method: 'POST', url: '/v1/enclave/attest', payload: body });
        answers.push({ status: r.statusCode, body: r.json<unknown>() });
        await a.close();
      }
      assert.ok(answers[0]!.status >= 400, JSON.stringify(answers[0]));
      assert.deepEqual(answers[1], answers[0]);
    });
  }
});
