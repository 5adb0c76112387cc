import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { availabilityConfigFrom } from '../../../src/config/availability-config.js';
import { snapshotStoppedDatabase, takeSnapshot } from '../../../src/core/snapshot/take-snapshot.js';
import { isCasError } from '../../../src/errors/cas-error.js';
import { secretKey } from '../../../src/store/keys.js';
import { keyStorePathFor, openStore } from '../../../src/store/open-store.js';
import { str, text } from '../../conformance/store-conformance.js';
import { storeConfigAt, testCas } from '../store/seal-helpers.js';
import { tempDir } from '../../helpers/temp-dir.js';

const cas = testCas();

test('a snapshot of a running store is consistent, holds no state-dir file, and restores', async (t) => {
  const root = tempDir(t);
  const opened = await openStore(storeConfigAt(root, cas));
  await opened.store.transaction((tx) => tx.put(secretKey('shop', 'pw'), text('before')));
  const folder = await takeSnapshot(
    {
      backupDatabase: (path) => opened.backupTo?.(path) ?? Promise.reject(new Error('no backup')),
      keyStorePath: keyStorePathFor(join(root, 'db', 'cas.db')),
      casKeyHash: cas.keyHash,
    },
    join(root, 'snapshots'),
    new Date('2026-11-23T00:15:00Z'),
  );
  assert.match(folder, /cas-snapshot-20261123T001500Z$/);
  assert.deepEqual(readdirSync(folder).sort(), ['cas.db', 'cas.key-store', 'snapshot.json']);
  await opened.store.transaction((tx) => tx.put(secretKey('shop', 'pw'), text('after')));
  // Stopped, the same instance is locked out of a live database by nobody; a second opener is.
  await assert.rejects(
    snapshotStoppedDatabase(
      {
        databasePath: join(root, 'db', 'cas.db'),
        keyStorePath: keyStorePathFor(join(root, 'db', 'cas.db')),
        casKeyHash: '',
      },
      join(root, 'snapshots'),
      new Date(),
    ),
    (e: unknown) => isCasError(e) && e.code === 'CAS_STORE_LOCKED',
  );
  await opened.close();

  // Restore: the snapshot's two files become the database of the same instance.
  const restored = tempDir(t);
  mkdirSync(join(restored, 'db'));
  copyFileSync(join(folder, 'cas.db'), join(restored, 'db', 'cas.db'));
  copyFileSync(join(folder, 'cas.key-store'), join(restored, 'db', 'cas.key-store'));
  const back = await openStore(storeConfigAt(restored, cas, root));
  assert.equal(
    str(await back.store.transaction((tx) => tx.get(secretKey('shop', 'pw')))),
    'before',
  );
  await back.close();

  const offline = await snapshotStoppedDatabase(
    {
      databasePath: join(root, 'db', 'cas.db'),
      keyStorePath: keyStorePathFor(join(root, 'db', 'cas.db')),
      casKeyHash: cas.keyHash,
    },
    join(root, 'snapshots'),
    new Date('2026-11-23T00:16:00Z'),
  );
  assert.match(offline, /cas-snapshot-20261123T001600Z$/);
});

test('a snapshot that cannot be written fails with CAS_BACKUP_SNAPSHOT_FAILED', async (t) => {
  const root = tempDir(t);
  await assert.rejects(
    takeSnapshot(
      {
        backupDatabase: () => Promise.reject(new Error('disk full')),
        keyStorePath: join(root, 'none'),
        casKeyHash: '',
      },
      join(root, 'snapshots'),
      new Date(),
    ),
    (e: unknown) => isCasError(e) && e.code === 'CAS_BACKUP_SNAPSHOT_FAILED',
  );
});

test('[snapshots]: a folder outside the state dir and a duration', () => {
  const ok = availabilityConfigFrom(
    { snapshots: { dir: 'snaps', interval: '6h' } },
    'cas.toml',
    '/srv/cas',
  );
  assert.deepEqual(ok.snapshots, { dir: '/srv/cas/snaps', intervalSeconds: 6 * 3600 });
  const bad: Array<[unknown, string]> = [
    [{ snapshots: { dir: 'cas-state/snaps' } }, 'snapshots.dir'],
    [{ snapshots: { dir: 'snaps', interval: 'often' } }, 'snapshots.interval'],
    [{ snapshots: { interval: '1h' } }, 'snapshots.interval'],
  ];
  for (const [raw, key] of bad) {
    assert.throws(
      () => availabilityConfigFrom(raw, 'cas.toml', '/srv/cas'),
      (e: unknown) =>
        isCasError(e) && e.code === 'CAS_CONFIG_BAD_VALUE' && e.details?.['key'] === key,
    );
  }
});
