import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { canTransition, requireState } from '../../../src/core/lifecycle.js';
import { keySealerFrom } from '../../../src/core/key-sealer.js';
import { parseDatabaseKey, selfProvision } from '../../../src/core/provisioning/provision-cas.js';
import { generateIdentity } from '../../../src/crypto/identity.js';
import { RateLimiter } from '../../../src/core/rate-limiter.js';
import { canonicalClaims, parseNonce, selfReportData } from '../../../src/core/self-evidence.js';

import { loadOrCreateCasKeys } from '../../../src/crypto/cas-keys.js';
import { isCasError } from '../../../src/errors/cas-error.js';
import { createSimulationSealer } from '../../../src/store/seal/simulation-sealer.js';
import { createStoreProvider } from '../../../src/store/store-provider.js';
import { startRuntime } from './provisioned-runtime.js';

async function rejectsWith(fn: () => unknown, code: string): Promise<void> {
  await assert.rejects(
    () => Promise.resolve().then(fn),
    (e: unknown) => isCasError(e) && e.code === code,
  );
}

function sealerIn(stateDir: string) {
  return createSimulationSealer({ stateDir, databaseDir: mkdtempSync(join(tmpdir(), 'cas-db-')) });
}

describe('lifecycle table', () => {
  const cases: Array<
    ['unprovisioned' | 'provisioned', Parameters<typeof requireState>[1], string | null]
  > = [
    ['unprovisioned', 'provision', null],
    ['unprovisioned', 'evidence', null],
    ['unprovisioned', 'health', null],
    ['unprovisioned', 'sessions', 'CAS_SERVER_NOT_PROVISIONED'],
    ['unprovisioned', 'owner', 'CAS_SERVER_NOT_PROVISIONED'],
    ['unprovisioned', 'enclave', 'CAS_SERVER_NOT_PROVISIONED'],
    ['provisioned', 'provision', 'CAS_SERVER_ALREADY_PROVISIONED'],
    ['provisioned', 'sessions', null],
    ['provisioned', 'owner', null],
  ];
  for (const [state, op, code] of cases) {
    test(`${state}: ${op} → ${code ?? 'allowed'}`, () => {
      if (code === null) assert.doesNotThrow(() => requireState(state, op));
      else
        assert.throws(
          () => requireState(state, op),
          (e: unknown) => isCasError(e) && e.code === code,
        );
    });
  }
  test('provisioned is final', () => {
    assert.equal(canTransition('unprovisioned', 'provisioned'), true);
    assert.equal(canTransition('provisioned', 'unprovisioned'), false);
  });
});

test('the rate limiter allows `limit` events per window', () => {
  const rl = new RateLimiter(3, 1000);
  assert.deepEqual(
    [0, 1, 2, 3].map((t) => rl.take(t)),
    [true, true, true, false],
  );
  assert.equal(rl.take(1001), true, 'the first event left the window');
});

test('database keys are 64 hex', () => {
  assert.equal(Buffer.from(parseDatabaseKey('AB'.repeat(32))).toString('hex'), 'ab'.repeat(32));
  for (const bad of ['', 'ab', 'zz'.repeat(32), 'ab'.repeat(33)]) {
    assert.throws(
      () => parseDatabaseKey(bad),
      (e: unknown) => isCasError(e) && e.code === 'CAS_SERVER_DATABASE_KEY_INVALID',
    );
  }
});

test('self report data binds label, nonce and the canonical claims', () => {
  const claims = {
    cas_key_hash: 'c',
    software_key_hash: 's',
    db_key_injected: false,
    platform_mode: 'sim' as const,
    version: '1',
  };
  assert.equal(
    canonicalClaims(claims),
    '{"cas_key_hash":"c","db_key_injected":false,"platform_mode":"sim","software_key_hash":"s","version":"1"}',
  );
  const a = selfReportData(Buffer.alloc(32, 1), claims);
  assert.equal(a.length, 64);
  assert.notDeepEqual(a, selfReportData(Buffer.alloc(32, 2), claims));
  assert.notDeepEqual(a, selfReportData(Buffer.alloc(32, 1), { ...claims, db_key_injected: true }));
  assert.throws(
    () => parseNonce('ab'),
    (e: unknown) => isCasError(e) && e.code === 'CAS_SERVER_BAD_REQUEST',
  );
});

describe('CAS keys in the state dir', () => {
  test('generated once, sealed, and the same after a restart; a new measurement gets a new software key', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'cas-state-'));
    const sealer = keySealerFrom(sealerIn(stateDir));
    const first = await loadOrCreateCasKeys({ stateDir, sealer, measurement: 'aa'.repeat(32) });
    const again = await loadOrCreateCasKeys({ stateDir, sealer, measurement: 'aa'.repeat(32) });
    assert.equal(again.casKeyHash, first.casKeyHash);
    assert.equal(again.softwareKeyHash, first.softwareKeyHash);
    const upgraded = await loadOrCreateCasKeys({ stateDir, sealer, measurement: 'bb'.repeat(32) });
    assert.equal(upgraded.casKeyHash, first.casKeyHash);
    assert.notEqual(upgraded.softwareKeyHash, first.softwareKeyHash);
    for (const file of readdirSync(stateDir).filter((f) => f.endsWith('.sealed'))) {
      const text = readFileSync(join(stateDir, file), 'utf8');
      assert.ok(!text.includes('PRIVATE KEY'), `${file} is not plaintext PEM`);
    }
    const reissued = await first.reissue({ commonName: 'cas.example', altNames: ['cas.example'] });
    assert.equal(reissued.softwareKeyHash, first.softwareKeyHash, 'same key, new certificate');
    assert.notEqual(reissued.chainPem, first.chainPem);
  });

  test('a tampered sealed key is refused', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'cas-state-'));
    const sealer = keySealerFrom(sealerIn(stateDir));
    await loadOrCreateCasKeys({ stateDir, sealer, measurement: 'aa'.repeat(32) });
    writeFileSync(
      join(stateDir, 'cas-key.sealed'),
      '{"method":"sim-seal-aes-256-gcm","fields":{"ciphertext":"AAAA"}}',
    );
    await rejectsWith(
      () => loadOrCreateCasKeys({ stateDir, sealer, measurement: 'aa'.repeat(32) }),
      'CAS_SERVER_STATE_INVALID',
    );
  });

  test('another instance (another seal) cannot open the database', async () => {
    const dbDir = mkdtempSync(join(tmpdir(), 'cas-db-'));
    const provider = async (stateDir: string) => {
      const keys = await loadOrCreateCasKeys({
        stateDir,
        sealer: keySealerFrom(createSimulationSealer({ stateDir, databaseDir: dbDir })),
        measurement: 'aa'.repeat(32),
      });
      return createStoreProvider({
        database: { path: join(dbDir, 'cas.db') },
        stateDir,
        instanceKeyHash: keys.casKeyHash,
        signer: (m) => keys.signWithCasKey(m),
        verifier: (m, sig, by) => by === keys.casKeyHash && keys.verifyWithCasKey(m, sig),
      });
    };
    const mine = await provider(mkdtempSync(join(tmpdir(), 's1-')));
    await (await mine.create()).close();
    const other = await provider(mkdtempSync(join(tmpdir(), 's2-')));
    assert.equal(other.exists(), true);
    await assert.rejects(
      () => other.open(),
      (e: unknown) => isCasError(e) && e.code.startsWith('CAS_STORE_'),
    );
  });
});

describe('self-provisioning', () => {
  test('binds the owner once; --skip-if-already-provisioned makes the second a no-op', async () => {
    const rt = await startRuntime();
    const owner = await generateIdentity();
    const options = {
      ownerCertPem: owner.certPem,
      ownerConfig: '[api_identity]\ncommon_name = "x"\n',
      ownerConfigFile: 'owner.toml',
      skipIfAlreadyProvisioned: false,
    };
    assert.equal(await selfProvision(rt, options), true);
    assert.equal(rt.owner?.owner_key_hash, owner.keyHash);
    await rejectsWith(() => selfProvision(rt, options), 'CAS_SERVER_ALREADY_PROVISIONED');
    assert.equal(await selfProvision(rt, { ...options, skipIfAlreadyProvisioned: true }), false);
  });
});
