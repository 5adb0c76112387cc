import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { generateIdentity } from '../../../src/crypto/identity.js';
import { installErrorMapping } from '../../../src/http/error-mapper.js';
import { createLogger } from '../../../src/http/logger.js';
import { buildListener } from '../../../src/http/server.js';

/** A listener (not listening: requests are injected) whose log lines are collected. */
async function listenerLogging(level: string) {
  const identity = await generateIdentity();
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const logger = createLogger({ simulation: false, destination, level });
  const app = buildListener({ key: identity.keyPem(), cert: identity.certPem }, logger, false);
  installErrorMapping(app);
  app.get('/v1/thing/:name', (request, reply) => {
    void reply.send({ name: (request.params as { name: string }).name });
  });
  return { app, lines };
}

/** Process warnings (Fastify's deprecations among them) emitted while the tests run. */
const warnings: Error[] = [];
process.on('warning', (w) => warnings.push(w));

describe('request log', () => {
  test('one line per request at info: method, URL, status and time, no arrival line', async () => {
    const { app, lines } = await listenerLogging('info');
    const ok = await app.inject({ method: 'GET', url: '/v1/thing/a' });
    const missing = await app.inject({ method: 'POST', url: '/v1/nothing' });
    assert.equal(ok.statusCode, 200);
    assert.equal(missing.statusCode, 404);
    const requests = lines.filter((l) => typeof l['reqId'] === 'string');
    assert.deepEqual(
      requests.map((l) => l['msg']),
      ['request completed', 'request completed'],
    );
    const [first, second] = requests as [Record<string, unknown>, Record<string, unknown>];
    const req = first['req'] as Record<string, unknown>;
    assert.equal(req['method'], 'GET');
    assert.equal(req['url'], '/v1/thing/a');
    assert.equal(req['remoteAddress'], '127.0.0.1');
    assert.deepEqual(first['res'], { statusCode: 200 });
    assert.equal(typeof first['responseTime'], 'number');
    assert.equal(first['api'], 'client');
    assert.deepEqual(second['res'], { statusCode: 404 });
    await app.close();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      warnings.map((w) => `${(w as { code?: string }).code ?? ''} ${w.message}`),
      [],
      'building a listener uses no deprecated Fastify option',
    );
  });

  test('at debug the arrival of each request is logged too', async () => {
    const { app, lines } = await listenerLogging('debug');
    await app.inject({ method: 'GET', url: '/v1/thing/b' });
    const requests = lines.filter((l) => typeof l['reqId'] === 'string');
    assert.deepEqual(
      requests.map((l) => l['msg']),
      ['incoming request', 'request completed'],
    );
    assert.equal(requests[0]?.['reqId'], requests[1]?.['reqId']);
    await app.close();
  });
});
