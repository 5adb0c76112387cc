import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { requireState, type Operation } from '../../../src/core/lifecycle.js';
import type { StoreProvider } from '../../../src/core/ports.js';
import { CasError } from '../../../src/errors/cas-error.js';
import { addWrappedKeyFor, openOrCreateDatabaseKey } from '../../../src/store/seal/database-key.js';
import { createEcdhSealer } from '../../../src/store/seal/ecdh-wrap.js';
import type { KeyStoreIo } from '../../../src/store/seal/key-store-io.js';
import { createSimulationSealer } from '../../../src/store/seal/simulation-sealer.js';
import type { Store } from '../../../src/store/store.js';
import { rejectsWithCode } from '../../conformance/store-conformance.js';
import { provisionedRuntime, startRuntime } from '../core/provisioned-runtime.js';
import { testCas, trusting } from '../store/seal-helpers.js';

/** A key store held in memory, versioned like the PostgreSQL table. */
function memoryKeyStore(): KeyStoreIo {
  let row: { text: string; version: number } | undefined;
  return {
    where: 'table cas_key_store',
    read: () => Promise.resolve(row),
    write(text, expected) {
      if ((row?.version ?? 0) !== expected) return Promise.resolve(false);
      row = { text, version: expected + 1 };
      return Promise.resolve(true);
    },
  };
}

test('lifecycle: a replica awaiting registration shows identity, evidence and health only', () => {
  for (const op of ['identity', 'evidence', 'health'] as const) {
    requireState('awaiting_registration', op);
  }
  const refused: Operation[] = ['provision', 'owner', 'sessions', 'enclave'];
  for (const op of refused) {
    assert.throws(
      () => requireState('awaiting_registration', op),
      (e: CasError) =>
        e.code === 'CAS_BACKUP_AWAITING_REGISTRATION' && /register-backup/.test(e.message),
    );
  }
});

test('a replica opens the entry a registered CAS wrapped to its backup key, in a shared key store', async () => {
  const root = mkdtempSync(join(tmpdir(), 'replica-keystore-'));
  const dirs = ['a', 'b', 'db'].map((d) => join(root, d));
  for (const d of dirs) mkdirSync(d);
  const [stateA, stateB, dbDir] = dirs as [string, string, string];
  const keyStore = memoryKeyStore();
  const a = testCas();
  const b = testCas();
  const { key } = await openOrCreateDatabaseKey({
    keyStore,
    sealer: createSimulationSealer({ stateDir: stateA, databaseDir: dbDir }),
    instanceKeyHash: a.keyHash,
    signer: a.signer,
    verifier: trusting(a),
  });
  const backupKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ownSealOnly = {
    keyStore,
    sealer: createSimulationSealer({ stateDir: stateB, databaseDir: dbDir }),
    instanceKeyHash: b.keyHash,
    signer: b.signer,
    verifier: trusting(a, b),
    databaseExists: true,
  };
  const asB = { ...ownSealOnly, backupSealer: createEcdhSealer(backupKey.privateKey) };
  // Not registered yet: refused, and the refusal names the instance (the runtime waits on it).
  await assert.rejects(
    openOrCreateDatabaseKey(asB),
    (e: CasError) => e.code === 'CAS_STORE_UNSEALABLE' && e.details?.['instance'] === b.keyHash,
  );
  await addWrappedKeyFor({
    keyStore,
    key,
    recipientPublicKey: backupKey.publicKey,
    recipientKeyHash: b.keyHash,
    signerKeyHash: a.keyHash,
    signer: a.signer,
    injected: false,
  });
  // Signed by A, which B has not attested yet: refused as tampered, never opened.
  await rejectsWithCode(
    openOrCreateDatabaseKey({ ...asB, verifier: trusting(b) }),
    'CAS_STORE_KEYSTORE_TAMPERED',
  );
  const opened = await openOrCreateDatabaseKey(asB);
  assert.ok(opened.key.equals(key));
  // Without the backup seal, B's own seal has no entry to open.
  await rejectsWithCode(openOrCreateDatabaseKey(ownSealOnly), 'CAS_STORE_UNSEALABLE');
});

/** A store provider whose open refuses as an unregistered replica until `registered`. */
function pendingProvider(real: Store | undefined, state: { registered: boolean }): StoreProvider {
  return {
    exists: () => true,
    open: () => {
      if (!state.registered || real === undefined) {
        return Promise.reject(
          new CasError('CAS_STORE_UNSEALABLE', 'this CAS is not registered for this database', {
            details: { instance: 'x' },
          }),
        );
      }
      return Promise.resolve(real);
    },
    create: () => Promise.reject(new Error('not used')),
  };
}

test('runtime: an unregistered replica awaits registration and serves once its entry exists', async () => {
  const primary = await provisionedRuntime();
  const state = { registered: false };
  const replica = await startRuntime({
    storeProvider: pendingProvider(primary.store(), state),
    awaitRegistration: true,
  });
  assert.equal(replica.state, 'awaiting_registration');
  assert.equal(replica.provisioningToken, undefined, 'it can never be provisioned');
  assert.throws(
    () => replica.store(),
    (e: CasError) => e.code === 'CAS_BACKUP_AWAITING_REGISTRATION',
  );
  assert.equal(await replica.completeRegistration(), false);
  assert.equal(replica.state, 'awaiting_registration');
  state.registered = true;
  assert.equal(await replica.completeRegistration(), true);
  assert.equal(replica.state, 'provisioned');
  assert.deepEqual(replica.owner, primary.owner);
});

test('runtime: without awaitRegistration (SQLite) an unregistered CAS still refuses to start', async () => {
  await rejectsWithCode(
    startRuntime({
      storeProvider: pendingProvider(undefined, { registered: false }),
      awaitRegistration: false,
    }),
    'CAS_STORE_UNSEALABLE',
  );
});

test('runtime: other refusals are not mistaken for a missing registration', async () => {
  const tampered: StoreProvider = {
    exists: () => true,
    open: () => Promise.reject(new CasError('CAS_STORE_KEYSTORE_TAMPERED', 'bad signature')),
    create: () => Promise.reject(new Error('not used')),
  };
  await rejectsWithCode(
    startRuntime({ storeProvider: tampered, awaitRegistration: true }),
    'CAS_STORE_KEYSTORE_TAMPERED',
  );
});
