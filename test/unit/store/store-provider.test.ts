import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createStoreProvider } from '../../../src/store/store-provider.js';
import { rejectsWithCode } from '../../conformance/store-conformance.js';
import { storeConfigAt } from './seal-helpers.js';
import { tempDir } from '../../helpers/temp-dir.js';

test('the provider: open before create is refused, create makes it exist, open reopens it', async (t) => {
  const root = tempDir(t);
  const config = storeConfigAt(root);
  const provider = await createStoreProvider(config);
  assert.equal(provider.exists(), false);
  await rejectsWithCode(provider.open(), 'CAS_STORE_UNSEALABLE');
  const injected = randomBytes(32);
  const created = await provider.create(injected);
  assert.equal(provider.exists(), true);
  assert.equal(provider.current()?.databaseKeyInjected, true);
  await created.transaction((tx) => tx.put('k', new Uint8Array([1])));
  await created.close();

  const later = await createStoreProvider(config);
  assert.equal(later.exists(), true);
  const reopened = await later.open();
  assert.deepEqual(await reopened.transaction((tx) => tx.get('k')), new Uint8Array([1]));
  assert.equal(later.current()?.databaseKeyInjected, true);
  await reopened.close();
  await rejectsWithCode(later.create(randomBytes(32)), 'CAS_STORE_WRONG_KEY');
});
