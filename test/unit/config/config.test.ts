import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  availabilityConfigFrom,
  loadAvailabilityConfig,
} from '../../../src/config/availability-config.js';
import { formatAddress, parseListenAddress } from '../../../src/config/listen-address.js';
import { parseOwnerConfig } from '../../../src/config/owner-config.js';
import { isCasError } from '../../../src/errors/cas-error.js';

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    assert.ok(isCasError(error), String(error));
    return { code: error.code, message: error.message };
  }
  return { code: 'no error', message: '' };
}

function assertRefused(fn: () => unknown, code: string, message: RegExp): void {
  const r = refusal(fn);
  assert.equal(r.code, code);
  assert.match(r.message, message);
}

describe('availability config', () => {
  test('defaults without a file, paths relative to the working folder', () => {
    const c = availabilityConfigFrom({}, '(defaults)', '/srv/cas');
    assert.deepEqual(c.apiListen, { host: '0.0.0.0', port: 8081 });
    assert.deepEqual(c.enclaveListen, { host: '0.0.0.0', port: 18765 });
    assert.deepEqual(c.database, {
      kind: 'sqlite',
      path: '/srv/cas/cas.db',
      keyStorePath: '/srv/cas/cas.key-store',
    });
    assert.equal(c.stateDir, '/srv/cas/cas-state');
    assert.equal(c.auditLogPath, '/srv/cas/cas-audit.log');
  });

  test('./cas.toml is read when present; -c FILE wins; paths relative to the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cas-config-'));
    writeFileSync(
      join(dir, 'cas.toml'),
      '[database]\npath = "data/x.db"\n[api]\napi_listen = "[::1]:9000"\n',
    );
    const c = loadAvailabilityConfig(undefined, dir);
    assert.equal(c.database.kind === 'sqlite' && c.database.path, join(dir, 'data', 'x.db'));
    assert.deepEqual(c.apiListen, { host: '::1', port: 9000 });
    assert.equal(formatAddress(c.apiListen), '[::1]:9000');
    writeFileSync(join(dir, 'other.toml'), '[platform]\nstate_dir = "/var/lib/cas-state"\n');
    assert.equal(loadAvailabilityConfig('other.toml', dir).stateDir, '/var/lib/cas-state');
  });

  const refusals: Array<[string, string, string, RegExp]> = [
    ['unknown top-level key', 'bogus = 1\n', 'CAS_CONFIG_UNKNOWN_KEY', /.*`bogus`/],
    [
      'unknown nested key',
      '[api]\napi_listn = "1.2.3.4:1"\n',
      'CAS_CONFIG_UNKNOWN_KEY',
      /.*`api\.api_listn`/,
    ],
    ['wrong type', '[database]\npath = 3\n', 'CAS_CONFIG_BAD_VALUE', /.*database\.path/],
    ['bad address', '[api]\napi_listen = "nope"\n', 'CAS_CONFIG_BAD_VALUE', /api\.api_listen/],
    ['bad mode', '[platform]\nmode = "sgx"\n', 'CAS_CONFIG_BAD_VALUE', /.*platform\.mode/],
    [
      'auto never falls back to sim',
      '[platform]\nmode = "auto"\n',
      'CAS_CONFIG_BAD_VALUE',
      /.*no TEE platform/,
    ],
    [
      'state dir is the db dir',
      '[database]\npath = "s/cas.db"\n[platform]\nstate_dir = "s"\n',
      'CAS_CONFIG_BAD_VALUE',
      /.*state_dir/,
    ],
    [
      'path and url',
      '[database]\npath = "a.db"\nurl = "postgres://x/y"\n',
      'CAS_CONFIG_BAD_VALUE',
      /.*exclude/,
    ],
    ['not TOML', '[api\n', 'CAS_CONFIG_SYNTAX', /./],
    [
      'negative workers',
      '[api]\nenclave_workers = -1\n',
      'CAS_CONFIG_BAD_VALUE',
      /api\.enclave_workers/,
    ],
    [
      'too many workers',
      '[api]\nenclave_workers = 65\n',
      'CAS_CONFIG_BAD_VALUE',
      /api\.enclave_workers/,
    ],
    [
      'fractional workers',
      '[api]\nenclave_workers = 1.5\n',
      'CAS_CONFIG_BAD_VALUE',
      /api\.enclave_workers/,
    ],
    [
      'workers as text',
      '[api]\nenclave_workers = "2"\n',
      'CAS_CONFIG_BAD_VALUE',
      /api\.enclave_workers/,
    ],
    [
      'too many session threads',
      '[api]\nsession_workers = 65\n',
      'CAS_CONFIG_BAD_VALUE',
      /api\.session_workers/,
    ],
    [
      'session threads as text',
      '[api]\nsession_workers = "2"\n',
      'CAS_CONFIG_BAD_VALUE',
      /api\.session_workers/,
    ],
  ];
  for (const [name, text, code, message] of refusals) {
    test(`refused: ${name}`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'cas-config-'));
      writeFileSync(join(dir, 'cas.toml'), text);
      assertRefused(() => loadAvailabilityConfig('cas.toml', dir), code, message);
    });
  }

  test('[api] enclave_workers: 0 by default, any integer 0..64 accepted', () => {
    assert.equal(availabilityConfigFrom({}, '(t)', '/tmp').enclaveWorkers, 0);
    for (const n of [0, 1, 2, 64]) {
      const c = availabilityConfigFrom({ api: { enclave_workers: n } }, '(t)', '/tmp');
      assert.equal(c.enclaveWorkers, n);
    }
  });

  test('[api] session_workers: 0 by default, any integer 0..64 accepted', () => {
    assert.equal(availabilityConfigFrom({}, '(t)', '/tmp').sessionWorkers, 0);
    for (const n of [0, 1, 2, 64]) {
      const c = availabilityConfigFrom({ api: { session_workers: n } }, '(t)', '/tmp');
      assert.equal(c.sessionWorkers, n);
    }
  });

  test('an unreadable file is refused', () => {
    assertRefused(
      () => loadAvailabilityConfig('/nonexistent/cas.toml', '/'),
      'CAS_CONFIG_UNREADABLE',
      /nonexistent/,
    );
  });

  test('listen addresses', () => {
    assert.deepEqual(parseListenAddress('localhost:0', 'k'), { host: 'localhost', port: 0 });
    assertRefused(() => parseListenAddress('1.2.3.4:70000', 'k'), 'CAS_CONFIG_BAD_VALUE', /k/);
  });
});

describe('owner config', () => {
  test('TOML, JSON and YAML give the same config', () => {
    const toml = parseOwnerConfig(
      '[api_identity]\ncommon_name = "cas"\nalt_names = ["a"]\n[audit_log]\nmode = "signed"\n',
    );
    const json = parseOwnerConfig(
      '{"api_identity":{"common_name":"cas","alt_names":["a"]},"audit_log":{"mode":"signed"}}',
    );
    const yaml = parseOwnerConfig(
      'api_identity:\n  common_name: cas\n  alt_names: [a]\naudit_log:\n  mode: signed\n',
    );
    assert.deepEqual(json, toml);
    assert.deepEqual(yaml, toml);
    assert.equal(toml.audit_log?.sink, 'file');
  });

  test('[snp] crl_dir names the AMD CRL directory; other keys under [snp] are refused', () => {
    assert.equal(
      parseOwnerConfig('[snp]\ncrl_dir = "/etc/cas/amd-crl"\n').snp?.crl_dir,
      '/etc/cas/amd-crl',
    );
    assert.throws(
      () => parseOwnerConfig('[snp]\ncrl = "/etc/cas/amd-crl"\n'),
      (e: unknown) =>
        isCasError(e) && e.code === 'CAS_CONFIG_UNKNOWN_KEY' && /snp\.crl/.test(e.message),
    );
    assert.throws(
      () => parseOwnerConfig('[snp]\ncrl_dir = ""\n'),
      (e: unknown) => isCasError(e) && e.code === 'CAS_CONFIG_BAD_VALUE',
    );
  });

  test("SCONE's [api.identity] spelling is accepted", () => {
    assert.equal(
      parseOwnerConfig('[api.identity]\ncommon_name = "x"\n').api_identity?.common_name,
      'x',
    );
  });

  const refusals: Array<[string, string, string, RegExp]> = [
    [
      'unknown key',
      '[api_identity]\ncommon_name = "x"\ncolour = "red"\n',
      'CAS_CONFIG_UNKNOWN_KEY',
      /.*api_identity\.colour/,
    ],
    [
      'missing common_name',
      '[api_identity]\nalt_names = []\n',
      'CAS_CONFIG_BAD_VALUE',
      /.*common_name/,
    ],
    ['bad audit mode', '[audit_log]\nmode = "loud"\n', 'CAS_CONFIG_BAD_VALUE', /.*audit_log\.mode/],
    ['bad JSON', '{"api_identity": ', 'CAS_CONFIG_SYNTAX', /./],
    ['neither', '= = =\n- [', 'CAS_CONFIG_SYNTAX', /./],
  ];
  for (const [name, text, code, message] of refusals) {
    test(`refused: ${name}`, () => {
      assertRefused(() => parseOwnerConfig(text), code, message);
    });
  }
});
