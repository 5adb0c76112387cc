// Micro benchmark of the provisioning lookup on the attest path: loadForProvisioning of the
// 10-secret bench session from SQLite, without and with the ProvisioningCache, and its
// rendering. Run: node --import tsx bench/micro-provisioning.ts
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSessionEngine as engine } from '../src/core/sessions/default-session-engine.js';
import { loadForProvisioning } from '../src/core/sessions/load-for-provisioning.js';
import { ProvisioningCache } from '../src/core/sessions/provisioning-cache.js';
import { renderForProvisioning } from '../src/core/sessions/render-for-provisioning.js';
import { writeVersion } from '../src/core/sessions/session-records.js';
import { openBarrier } from '../src/store/barrier/barrier.js';
import { openSqliteBackend } from '../src/store/physical/sqlite.js';
import { SecretKey } from '../src/store/secret-key.js';
import { ATTEST_SESSION } from './sessions.mjs';

const dir = mkdtempSync(join(tmpdir(), 'cas-micro-'));
// SQLite under the real encryption barrier; the key store and its seal are not on this path.
const store = await openBarrier({
  physical: openSqliteBackend({ path: join(dir, 'db', 'cas.db') }),
  databaseKey: SecretKey.generate(32),
});
const text = ATTEST_SESSION.replaceAll('$NAME', 's').replaceAll('$MEASUREMENT', 'ab'.repeat(32));
const session = engine.withCreator(engine.parse(text), 'creator');
const hash = engine.hash(session);
const secrets = await engine.generateSecrets(session, { now: new Date(), randomBytes });
const at = new Date().toISOString();
await store.transaction((tx) =>
  writeVersion(tx, {
    expected: undefined,
    meta: {
      name: 's',
      active: hash,
      creator: 'creator',
      creator_key_hash: 'k',
      history: [{ hash, uploader_key_hash: 'k', at }],
    },
    version: { session, text },
    secrets,
  }),
);
const N = 2000;
for (const cached of [false, true, false, true]) {
  const cache = cached ? new ProvisioningCache() : undefined;
  let t = performance.now();
  for (let i = 0; i < N; i++) await loadForProvisioning(store, 's', cache);
  const load = ((performance.now() - t) / N) * 1000;
  const loaded = (await loadForProvisioning(store, 's', cache))!;
  t = performance.now();
  for (let i = 0; i < N; i++) renderForProvisioning(loaded.session, 'app', loaded);
  const render = ((performance.now() - t) / N) * 1000;
  process.stdout.write(
    `${cached ? 'cached  ' : 'uncached'} loadForProvisioning ${load.toFixed(0)} us, render ${render.toFixed(0)} us\n`,
  );
}
await store.close();
rmSync(dir, { recursive: true, force: true });
