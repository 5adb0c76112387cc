import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { keyStorePathFor, openStore, storeExists } from '../../../src/store/open-store.js';
import { createEcdhSealer } from '../../../src/store/seal/ecdh-wrap.js';
import { secretKey } from '../../../src/store/keys.js';
import { rejectsWithCode, str, text } from '../../conformance/store-conformance.js';
import { storeConfigAt, testCas, trusting } from './seal-helpers.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** Every file below `dir`, recursively. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

test('a secret written through openStore appears in no file: database, WAL, key store, state', async (t) => {
  const root = tempDir(t);
  const config = storeConfigAt(root);
  const marker = `SECRET-${randomBytes(12).toString('hex')}`;
  assert.equal(await storeExists(config.database), false);
  const opened = await openStore(config);
  assert.equal(await storeExists(config.database), true);
  assert.equal(opened.databaseKeyCreated, true);
  assert.equal(opened.databaseKeyInjected, false);
  const lines = opened.describe().join('\n');
  assert.match(lines, /SQLite store/);
  assert.match(lines, /simulation seal/);
  assert.match(lines, /created now/);
  await opened.store.transaction((tx) => tx.put(secretKey('demo', 'password'), text(marker)));
  const scan = () => {
    const files = filesBelow(root);
    for (const file of files) {
      assert.equal(readFileSync(file).includes(marker), false, `${file} holds the secret`);
    }
    return files.map((f) => f.slice(root.length));
  };
  const seen = scan();
  assert.ok(seen.includes('/db/cas.db-wal'));
  assert.ok(seen.includes('/db/cas.key-store'));
  assert.ok(seen.includes('/state/seal.key'));
  await opened.close();
  scan();

  const reopened = await openStore(config);
  assert.equal(reopened.databaseKeyCreated, false);
  assert.match(reopened.describe().join('\n'), /unsealed from the key store/);
  assert.equal(
    str(await reopened.store.transaction((tx) => tx.get(secretKey('demo', 'password')))),
    marker,
  );
  await reopened.close();
});

test('one process holds a database: a second openStore gets CAS_STORE_LOCKED', async (t) => {
  const root = tempDir(t);
  const config = storeConfigAt(root);
  const opened = await openStore(config);
  await rejectsWithCode(openStore(config), 'CAS_STORE_LOCKED');
  await opened.close();
});

test('a database whose key store is gone, or another CAS, cannot be opened', async (t) => {
  const root = tempDir(t);
  const config = storeConfigAt(root);
  const opened = await openStore(config);
  await opened.store.transaction((tx) => tx.put('x', text('x')));
  await opened.close();
  await rejectsWithCode(openStore(storeConfigAt(root)), 'CAS_STORE_UNSEALABLE');
  rmSync(join(root, 'db', 'cas.key-store'));
  await rejectsWithCode(openStore(config), 'CAS_STORE_UNSEALABLE');
  // The lock was released on every failure.
  await rejectsWithCode(openStore(config), 'CAS_STORE_UNSEALABLE');
});

test('an injected key opens a new database; a wrong one is refused for an existing one', async (t) => {
  const root = tempDir(t);
  const injectedKey = randomBytes(32);
  const config = storeConfigAt(root);
  const opened = await openStore({ ...config, injectedKey });
  assert.equal(opened.databaseKeyInjected, true);
  assert.match(opened.describe().join('\n'), /injected by the owner/);
  await opened.close();
  await rejectsWithCode(
    openStore({ ...config, injectedKey: randomBytes(32) }),
    'CAS_STORE_WRONG_KEY',
  );
  // Another instance that does not know the key is not let in with a wrong one either.
  await rejectsWithCode(
    openStore({ ...storeConfigAt(root), injectedKey: randomBytes(32) }),
    'CAS_STORE_WRONG_KEY',
  );
  const joined = await openStore({ ...storeConfigAt(root), injectedKey });
  assert.equal(joined.databaseKeyInjected, true);
  await joined.close();
});

test('the state directory may not be the database directory', async (t) => {
  const root = tempDir(t);
  await rejectsWithCode(
    openStore({ ...storeConfigAt(root), stateDir: join(root, 'db') }),
    'CAS_STORE_STATE_DIR_IS_DB_DIR',
  );
});

test('a registered backup opens the database with the key bound in its evidence', async (t) => {
  const root = tempDir(t);
  const primary = testCas();
  const opened = await openStore(storeConfigAt(root, primary));
  await opened.store.transaction((tx) => tx.put('shared', text('for the backup')));
  const backup = testCas();
  const binding = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  await opened.addBackup({ publicKey: binding.publicKey, keyHash: backup.keyHash });
  await opened.close();

  const asBackup = await openStore({
    ...storeConfigAt(root, backup),
    verifier: trusting(primary, backup),
    sealer: createEcdhSealer(binding.privateKey),
  });
  assert.equal(str(await asBackup.store.transaction((tx) => tx.get('shared'))), 'for the backup');
  await asBackup.close();
});

test('derived keys are stable per label and differ between labels', async (t) => {
  const root = tempDir(t);
  const config = storeConfigAt(root);
  const opened = await openStore(config);
  const audit = opened.deriveKey('audit-hmac');
  const other = opened.deriveKey('other');
  assert.equal(audit.length, 32);
  assert.equal(audit.equals(other), false);
  await opened.close();
  const again = await openStore(config);
  assert.ok(again.deriveKey('audit-hmac').equals(audit));
  await again.close();
});

test('the key store sits beside the database: cas.db → cas.key-store', () => {
  const cases: [string, string][] = [
    ['/srv/cas/cas.db', '/srv/cas/cas.key-store'],
    ['/srv/cas/data', '/srv/cas/data.key-store'],
    ['/srv/cas/a.sqlite', '/srv/cas/a.sqlite.key-store'],
  ];
  for (const [db, keyStore] of cases) assert.equal(keyStorePathFor(db), keyStore);
});
