import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { fastify, type FastifyInstance } from 'fastify';
import { CasError } from '../../../src/errors/cas-error.js';
import { installErrorMapping } from '../../../src/http/error-mapper.js';
import { createLogger, REDACT_PATHS } from '../../../src/http/logger.js';

function app() {
  let log = '';
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      log += chunk.toString('utf8');
      done();
    },
  });
  const a = fastify({ loggerInstance: createLogger({ simulation: true, destination }) });
  installErrorMapping(a as unknown as FastifyInstance);
  a.get('/coded', () => {
    throw new CasError('CAS_SESSION_NOT_FOUND', 'session x not found', { details: { name: 'x' } });
  });
  a.get('/bug', () => {
    throw new Error('db password hunter2 leaked in a bug');
  });
  a.post('/json', (request) => request.body as object);
  return { a, log: () => log };
}

test('a CasError becomes its status and the coded body', async () => {
  const { a } = app();
  const r = await a.inject({ method: 'GET', url: '/coded' });
  assert.equal(r.statusCode, 404);
  assert.deepEqual(r.json(), {
    error: {
      code: 'CAS_SESSION_NOT_FOUND',
      message: 'session x not found',
      details: { name: 'x' },
    },
  });
});

test('a bug is a 500 with a redacted message; the details go to the log only', async () => {
  const { a, log } = app();
  const r = await a.inject({ method: 'GET', url: '/bug' });
  assert.equal(r.statusCode, 500);
  assert.equal(r.json<{ error: { code: string } }>().error.code, 'CAS_INTERNAL');
  assert.ok(!r.body.includes('hunter2'));
  assert.ok(log().includes('hunter2'), 'the operator sees the bug in the log');
  assert.ok(log().includes('"platform":"simulation"'), 'every line says simulation');
});

test('fastify request errors are coded', async () => {
  const { a } = app();
  const bad = await a.inject({
    method: 'POST',
    url: '/json',
    payload: '{',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json<{ error: { code: string } }>().error.code, 'CAS_SERVER_BAD_REQUEST');
  const media = await a.inject({
    method: 'POST',
    url: '/json',
    payload: 'x',
    headers: { 'content-type': 'text/x-odd' },
  });
  assert.equal(media.json<{ error: { code: string } }>().error.code, 'CAS_SERVER_BAD_REQUEST');
  const big = await a.inject({
    method: 'POST',
    url: '/json',
    payload: JSON.stringify({ a: 'x'.repeat(2 * 1024 * 1024) }),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(big.statusCode, 413);
  assert.equal(big.json<{ error: { code: string } }>().error.code, 'CAS_SERVER_BODY_TOO_LARGE');
  const none = await a.inject({ method: 'GET', url: '/none' });
  assert.equal(none.json<{ error: { code: string } }>().error.code, 'CAS_SERVER_ROUTE_NOT_FOUND');
});

test('the logger redacts token, key and value fields wherever they appear', () => {
  let out = '';
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      out += chunk.toString('utf8');
      done();
    },
  });
  const logger = createLogger({ simulation: false, destination });
  logger.info(
    { token: 'T0KEN', req: { body: { database_key: 'K3Y' } }, secret: { value: 'V4LUE' } },
    'x',
  );
  for (const leaked of ['T0KEN', 'K3Y', 'V4LUE']) assert.ok(!out.includes(leaked), leaked);
  assert.ok(REDACT_PATHS.includes('token'));
});
