import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { defaultSessionEngine } from '../../../src/core/sessions/default-session-engine.js';
import { loadForProvisioning } from '../../../src/core/sessions/load-for-provisioning.js';
import { ProvisioningCache } from '../../../src/core/sessions/provisioning-cache.js';
import { readMeta, writeVersion } from '../../../src/core/sessions/session-records.js';
import { createMemoryStoreProvider } from '../../../src/core/store-provider.js';
import type { Store } from '../../../src/store/store.js';

const CREATOR = 'creator-cert';
const env = { now: new Date('2026-01-01T00:00:00Z'), randomBytes: (n: number) => randomBytes(n) };

function text(
  name: string,
  release: string,
  secrets = '  - {name: pw, kind: ascii, size: 16}\n',
): string {
  return `name: ${name}
version: "0.3.10"
security:
  attestation:
    mode: none
services:
  - name: app
    command: /bin/app
    environment: {PW: "$$SCONE::pw$$", RELEASE: "${release}"}
secrets:
${secrets}`;
}

/** Writes a new version of a session (first when it does not exist) as the use cases do. */
async function write(store: Store, body: string): Promise<void> {
  const { sessions } = { sessions: defaultSessionEngine };
  const session = sessions.withCreator(sessions.parse(body), CREATOR);
  const hash = sessions.hash(session);
  const secrets = await sessions.generateSecrets(session, env);
  await store.transaction(async (tx) => {
    const old = await readMeta(tx, session.name);
    const history = [
      ...(old?.meta.history ?? []),
      { hash, uploader_key_hash: 'k', at: env.now.toISOString() },
    ];
    const meta = {
      name: session.name,
      active: hash,
      creator: CREATOR,
      creator_key_hash: 'k',
      history,
    };
    assert.ok(
      await writeVersion(tx, {
        expected: old?.bytes,
        meta,
        version: { session, text: body },
        secrets,
      }),
    );
  });
}

async function freshStore(): Promise<Store> {
  return createMemoryStoreProvider().create(randomBytes(32));
}

describe('ProvisioningCache', () => {
  test('serves a session only while its stored metadata is byte for byte the same', async () => {
    const store = await freshStore();
    const cache = new ProvisioningCache();
    await write(store, text('shop', 'one'));
    const first = await loadForProvisioning(store, 'shop', cache);
    assert.equal(cache.size, 1);
    assert.equal(
      await loadForProvisioning(store, 'shop', cache),
      first,
      'second load is the cached one',
    );

    await write(store, text('shop', 'two'));
    const second = await loadForProvisioning(store, 'shop', cache);
    assert.notEqual(second, first, 'an update is seen at once');
    assert.notEqual(second?.hash, first?.hash);
    assert.match(JSON.stringify(second?.session.services), /two/);
  });

  test('a session that no longer exists is not served from the cache', async () => {
    const store = await freshStore();
    const cache = new ProvisioningCache();
    await write(store, text('gone', 'one'));
    await loadForProvisioning(store, 'gone', cache);
    await store.transaction(async (tx) => {
      for (const key of await tx.list('')) await tx.delete(key);
    });
    assert.equal(await loadForProvisioning(store, 'gone', cache), null);
  });

  test('an importer is cached only while its exporters are unchanged too', async () => {
    const store = await freshStore();
    const cache = new ProvisioningCache();
    const exporter = (size: number) =>
      text(
        'exporter',
        'one',
        `  - {name: pw, kind: ascii, size: ${size}, export: [{session: importer}]}\n`,
      );
    await write(store, exporter(16));
    await write(
      store,
      text('importer', 'one', '  - {name: pw, import: {session: exporter, secret: pw}}\n'),
    );
    const first = await loadForProvisioning(store, 'importer', cache);
    assert.equal(cache.size, 1);
    assert.equal(
      await loadForProvisioning(store, 'importer', cache),
      first,
      'served from the cache',
    );
    await write(store, exporter(24));
    const second = await loadForProvisioning(store, 'importer', cache);
    assert.notEqual(second, first);
    const pw = second?.values.get('pw')?.reveal();
    assert.equal(pw?.kind === 'ascii' ? pw.text.length : 0, 24, "the exporter's new value");
  });

  test('holds at most its bound, evicting the least recently used', async () => {
    const store = await freshStore();
    const cache = new ProvisioningCache(2);
    for (const name of ['a', 'b']) await write(store, text(name, 'one'));
    await write(store, text('c', 'one'));
    const a = await loadForProvisioning(store, 'a', cache);
    await loadForProvisioning(store, 'b', cache);
    assert.equal(await loadForProvisioning(store, 'a', cache), a, 'a is now the most recent');
    await loadForProvisioning(store, 'c', cache);
    assert.equal(cache.size, 2);
    assert.equal(await loadForProvisioning(store, 'a', cache), a, 'b was evicted, not a');
  });
});
