import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { keyHashOfKey } from '../../../src/crypto/key-hash.js';
import { isCasError } from '../../../src/errors/cas-error.js';
import { readLauncherEnv } from '../../../src/launcher/launcher-env.js';

const hash = keyHashOfKey(generateKeyPairSync('ed25519').publicKey);

test('defaults: CAS on 127.0.0.1:18765, LAS on 127.0.0.1:18766, mode auto, no pins', () => {
  assert.deepEqual(readLauncherEnv({}), {
    cas: { host: '127.0.0.1', port: 18765 },
    las: { host: '127.0.0.1', port: 18766 },
    mode: 'auto',
    pins: {},
  });
});

test('SCONE_* variables are read; SCONE_MODE is case-insensitive', () => {
  const env = readLauncherEnv({
    SCONE_CONFIG_ID: 'ns/session/svc',
    SCONE_CAS_ADDR: 'cas.example',
    SCONE_LAS_ADDR: '10.0.0.2:9000',
    SCONE_MODE: 'SIM',
    SCONE_CAS_KEY_HASH: hash,
    SCONE_CAS_SOFTWARE_KEY_HASH: hash,
  });
  assert.equal(env.configId, 'ns/session/svc');
  assert.deepEqual(env.cas, { host: 'cas.example', port: 18765 });
  assert.deepEqual(env.las, { host: '10.0.0.2', port: 9000 });
  assert.equal(env.mode, 'sim');
  assert.deepEqual(env.pins, { casKeyHash: hash, softwareKeyHash: hash });
});

test('bad values are refused naming the variable', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ SCONE_MODE: 'fast' }, /SCONE_MODE/],
    [{ SCONE_CAS_ADDR: 'a b' }, /SCONE_CAS_ADDR/],
    [{ SCONE_LAS_ADDR: 'x:99999' }, /SCONE_LAS_ADDR/],
    [{ SCONE_CONFIG_ID: 'no-service' }, /SCONE_CONFIG_ID/],
    [{ SCONE_CONFIG_ID: 'session/' }, /SCONE_CONFIG_ID/],
    [{ SCONE_CAS_KEY_HASH: 'abc' }, /SCONE_CAS_KEY_HASH/],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => readLauncherEnv(env),
      (e: unknown) =>
        isCasError(e) && e.code === 'CAS_LAUNCHER_ENV_INVALID' && message.test(e.message),
    );
  }
});
