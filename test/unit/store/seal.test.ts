import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SecretKey } from '../../../src/store/secret-key.js';
import {
  addWrappedKeyFor,
  openOrCreateDatabaseKey,
  type DatabaseKeyOptions,
} from '../../../src/store/seal/database-key.js';
import { createEcdhSealer } from '../../../src/store/seal/ecdh-wrap.js';
import { createSimulationSealer } from '../../../src/store/seal/simulation-sealer.js';
import { rejectsWithCode } from '../../conformance/store-conformance.js';
import { testCas, trusting, type TestCas } from './seal-helpers.js';
import { tempDir } from '../../helpers/temp-dir.js';

const throwsCode = (fn: () => unknown, code: string) =>
  assert.throws(fn, (error: { code?: string }) => error.code === code);

function setup(t: Parameters<typeof tempDir>[0]) {
  const root = tempDir(t);
  const dbDir = join(root, 'db');
  const stateDir = join(root, 'state');
  mkdirSync(dbDir);
  const keyStorePath = join(dbDir, 'cas.db.key-store');
  const options = (cas: TestCas, extra: Partial<DatabaseKeyOptions> = {}): DatabaseKeyOptions => ({
    keyStorePath,
    sealer: createSimulationSealer({ stateDir, databaseDir: dbDir }),
    instanceKeyHash: cas.keyHash,
    signer: cas.signer,
    verifier: trusting(cas),
    ...extra,
  });
  return { root, dbDir, stateDir, keyStorePath, options };
}

test('simulation seal: refuses the database directory, says "simulation", keeps a 0600 key', (t) => {
  const { dbDir, stateDir } = setup(t);
  throwsCode(
    () => createSimulationSealer({ stateDir: dbDir, databaseDir: dbDir }),
    'CAS_STORE_STATE_DIR_IS_DB_DIR',
  );
  throwsCode(
    () => createSimulationSealer({ stateDir: `${dbDir}/./`, databaseDir: dbDir }),
    'CAS_STORE_STATE_DIR_IS_DB_DIR',
  );
  const sealer = createSimulationSealer({ stateDir, databaseDir: dbDir });
  assert.match(sealer.describe(), /simulation/);
  const keyFile = join(stateDir, 'seal.key');
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  assert.equal(statSync(keyFile).size, 32);
  chmodSync(keyFile, 0o644);
  throwsCode(
    () => createSimulationSealer({ stateDir, databaseDir: dbDir }),
    'CAS_STORE_SEAL_KEY_INVALID',
  );
  writeFileSync(keyFile, randomBytes(16), { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  throwsCode(
    () => createSimulationSealer({ stateDir, databaseDir: dbDir }),
    'CAS_STORE_SEAL_KEY_INVALID',
  );
});

test('creates the key once, then unseals the same key; the key store holds no key bytes', async (t) => {
  const { keyStorePath, options } = setup(t);
  const cas = testCas();
  const first = await openOrCreateDatabaseKey(options(cas));
  assert.equal(first.created, true);
  assert.equal(first.injected, false);
  const second = await openOrCreateDatabaseKey(options(cas));
  assert.equal(second.created, false);
  assert.ok(second.key.equals(first.key));
  assert.equal(statSync(keyStorePath).mode & 0o777, 0o600);
  const text = readFileSync(keyStorePath, 'utf8');
  const raw = readFileSync(keyStorePath);
  for (const form of ['hex', 'base64', 'base64url'] as const) {
    assert.equal(text.includes(first.key.bytes.toString(form)), false, form);
  }
  assert.equal(raw.includes(first.key.bytes), false);
  const document = JSON.parse(text) as { entries: { instance: string; signed_by: string }[] };
  assert.equal(document.entries[0]?.instance, cas.keyHash);
  assert.equal(document.entries[0]?.signed_by, cas.keyHash);
});

test('another CAS is told it is not registered for this database', async (t) => {
  const { options } = setup(t);
  await openOrCreateDatabaseKey(options(testCas()));
  const stranger = testCas();
  await assert.rejects(
    openOrCreateDatabaseKey(options(stranger)),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'CAS_STORE_UNSEALABLE');
      assert.match(error.message, /not registered for this database/);
      assert.ok(error.message.includes(stranger.keyHash));
      return true;
    },
  );
});

test('a hand-edited or malformed key store is refused as tampered', async (t) => {
  const { keyStorePath, options } = setup(t);
  const cas = testCas();
  await openOrCreateDatabaseKey(options(cas));
  const original = readFileSync(keyStorePath, 'utf8');
  const edits: [string, (doc: { entries: Record<string, unknown>[] }) => void][] = [
    ['injected flag flipped', (doc) => (doc.entries[0]!['injected'] = true)],
    ['date changed', (doc) => (doc.entries[0]!['created_at'] = '2020-01-01T00:00:00.000Z')],
    [
      'signature replaced',
      (doc) => (doc.entries[0]!['signature'] = randomBytes(64).toString('base64')),
    ],
    ['signer renamed', (doc) => (doc.entries[0]!['signed_by'] = testCas().keyHash)],
  ];
  for (const [name, edit] of edits) {
    const doc = JSON.parse(original) as { entries: Record<string, unknown>[] };
    edit(doc);
    writeFileSync(keyStorePath, JSON.stringify(doc));
    await rejectsWithCode(
      openOrCreateDatabaseKey(options(cas)),
      'CAS_STORE_KEYSTORE_TAMPERED',
    ).catch((error: unknown) => assert.fail(`${name}: ${String(error)}`));
  }
  for (const bad of [
    'not json',
    '{"format":"cas-key-store-v1"}',
    '{"format":"other","entries":[]}',
  ]) {
    writeFileSync(keyStorePath, bad);
    await rejectsWithCode(openOrCreateDatabaseKey(options(cas)), 'CAS_STORE_KEYSTORE_TAMPERED');
  }
});

test('a changed seal key cannot open the entry', async (t) => {
  const { stateDir, options } = setup(t);
  const cas = testCas();
  await openOrCreateDatabaseKey(options(cas));
  rmSync(join(stateDir, 'seal.key'));
  await assert.rejects(
    openOrCreateDatabaseKey(options(cas)),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'CAS_STORE_UNSEALABLE');
      assert.match(error.message, /seal key changed/);
      return true;
    },
  );
});

test('an injected key: used at creation, remembered, checked against the database', async (t) => {
  const { options } = setup(t);
  const cas = testCas();
  const injectedKey = randomBytes(32);
  const created = await openOrCreateDatabaseKey(options(cas, { injectedKey }));
  assert.deepEqual([created.created, created.injected], [true, true]);
  assert.ok(created.key.equals(injectedKey));
  const later = await openOrCreateDatabaseKey(options(cas));
  assert.equal(later.injected, true);
  await rejectsWithCode(
    openOrCreateDatabaseKey(options(cas, { injectedKey: randomBytes(32) })),
    'CAS_STORE_WRONG_KEY',
  );
  await rejectsWithCode(
    openOrCreateDatabaseKey(options(cas, { injectedKey: randomBytes(31) })),
    'CAS_STORE_CONFIG_INVALID',
  );
});

test('injecting the right key later marks the entry injected; a new instance joins with it', async (t) => {
  const { options } = setup(t);
  const cas = testCas();
  const { key } = await openOrCreateDatabaseKey(options(cas));
  const again = await openOrCreateDatabaseKey(options(cas, { injectedKey: key.bytes }));
  assert.equal(again.injected, true);
  assert.equal((await openOrCreateDatabaseKey(options(cas))).injected, true);

  const newcomer = testCas();
  const refuse = () => Promise.resolve(false);
  await rejectsWithCode(
    openOrCreateDatabaseKey(options(newcomer, { injectedKey: key.bytes, checkKey: refuse })),
    'CAS_STORE_WRONG_KEY',
  );
  const joined = await openOrCreateDatabaseKey(
    options(newcomer, { injectedKey: key.bytes, checkKey: () => Promise.resolve(true) }),
  );
  assert.ok(joined.key.equals(key));
  assert.ok((await openOrCreateDatabaseKey(options(newcomer))).key.equals(key));
});

test('a missing key store for a database that holds data is not silently recreated', async (t) => {
  const { options } = setup(t);
  await rejectsWithCode(
    openOrCreateDatabaseKey(options(testCas(), { databaseExists: true })),
    'CAS_STORE_UNSEALABLE',
  );
});

for (const namedCurve of ['prime256v1', 'secp384r1'] as const) {
  test(`a backup CAS opens the key wrapped to its ${namedCurve} key (cas-backup-v1)`, async (t) => {
    const { keyStorePath, options } = setup(t);
    const primary = testCas();
    const { key } = await openOrCreateDatabaseKey(options(primary));
    const backup = testCas();
    const binding = generateKeyPairSync('ec', { namedCurve });
    await addWrappedKeyFor({
      keyStorePath,
      key,
      recipientPublicKey: binding.publicKey,
      recipientKeyHash: backup.keyHash,
      signerKeyHash: primary.keyHash,
      signer: primary.signer,
      injected: false,
    });
    const viaEcdh = {
      keyStorePath,
      sealer: createEcdhSealer(binding.privateKey),
      instanceKeyHash: backup.keyHash,
      signer: backup.signer,
    };
    const opened = await openOrCreateDatabaseKey({
      ...viaEcdh,
      verifier: trusting(primary, backup),
    });
    assert.ok(opened.key.equals(key));
    // The backup opens only entries signed by a CAS it attested.
    await rejectsWithCode(
      openOrCreateDatabaseKey({ ...viaEcdh, verifier: trusting(backup) }),
      'CAS_STORE_KEYSTORE_TAMPERED',
    );
    // Another key pair cannot open it.
    const other = generateKeyPairSync('ec', { namedCurve });
    await rejectsWithCode(
      openOrCreateDatabaseKey({
        ...viaEcdh,
        sealer: createEcdhSealer(other.privateKey),
        verifier: trusting(primary, backup),
      }),
      'CAS_STORE_UNSEALABLE',
    );
  });
}

test('wrapping to a key that is not P-256/P-384 is refused', async (t) => {
  const { keyStorePath, options } = setup(t);
  const primary = testCas();
  const { key } = await openOrCreateDatabaseKey(options(primary));
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await rejectsWithCode(
    addWrappedKeyFor({
      keyStorePath,
      key: new SecretKey(key.bytes),
      recipientPublicKey: rsa.publicKey,
      recipientKeyHash: 'x',
      signerKeyHash: primary.keyHash,
      signer: primary.signer,
      injected: false,
    }),
    'CAS_STORE_CONFIG_INVALID',
  );
});
