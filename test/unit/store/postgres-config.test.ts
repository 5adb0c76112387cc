import assert from 'node:assert/strict';
import { test } from 'node:test';
import { postgresPoolConfig } from '../../../src/store/physical/postgres-config.js';

const throwsCode = (fn: () => unknown, code: string) =>
  assert.throws(fn, (error: { code?: string }) => error.code === code);

test('TLS is verified by default except on loopback; never configured from the url', () => {
  const cases: [string, Parameters<typeof postgresPoolConfig>[0], unknown, RegExp][] = [
    ['loopback', { url: 'postgres://cas@127.0.0.1:5432/cas' }, false, /no TLS, loopback/],
    ['localhost', { url: 'postgresql://cas@localhost/cas' }, false, /no TLS, loopback/],
    [
      'remote',
      { url: 'postgres://cas@db.example:5432/cas' },
      { rejectUnauthorized: true },
      /TLS, server certificate verified/,
    ],
    [
      'remote with CA and client certificate',
      {
        url: 'postgres://cas@db.example/cas',
        tls: { mode: 'verify-full', ca: 'CA', cert: 'CERT', key: 'KEY', servername: 'db' },
      },
      { rejectUnauthorized: true, ca: 'CA', cert: 'CERT', key: 'KEY', servername: 'db' },
      /verified/,
    ],
    [
      'remote, TLS disabled on purpose',
      { url: 'postgres://cas@db.example/cas', tls: { mode: 'disable' } },
      false,
      /WARNING, the connection is not encrypted/,
    ],
  ];
  for (const [name, options, ssl, description] of cases) {
    const result = postgresPoolConfig(options);
    assert.deepEqual(result.config.ssl, ssl, name);
    assert.match(result.description, description, name);
  }
});

test('the password never reaches the description', () => {
  const { description, config } = postgresPoolConfig({
    url: 'postgres://cas:hunter2-secret@db.example:5433/cas',
    poolSize: 3,
  });
  assert.equal(description.includes('hunter2'), false);
  assert.match(description, /postgres:\/\/cas@db\.example:5433\/cas/);
  assert.equal(config.max, 3);
});

test('bad urls and TLS settings in the url are CAS_STORE_CONFIG_INVALID', () => {
  for (const url of [
    'not a url',
    'mysql://cas@127.0.0.1/cas',
    'postgres://cas@db.example/cas?sslmode=disable',
    'postgres://cas@db.example/cas?sslrootcert=/x',
  ]) {
    throwsCode(() => postgresPoolConfig({ url }), 'CAS_STORE_CONFIG_INVALID');
  }
});
