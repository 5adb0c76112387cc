import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isCasError } from '../../../src/errors/cas-error.js';
import { createStoreProvider } from '../../../src/store/store-provider.js';
import { freePort } from '../../helpers/free-port.js';

test('PostgreSQL unreachable at start: retried, then CAS_STORE_UNAVAILABLE naming the host, never the password', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cas-provider-'));
  const port = await freePort();
  try {
    const started = Date.now();
    await assert.rejects(
      createStoreProvider({
        database: {
          url: `postgres://cas:hunter2-secret@127.0.0.1:${port}/cas`,
          connectAttempts: 3,
        },
        stateDir: join(dir, 'state'),
        instanceKeyHash: 'x',
        signer: () => new Uint8Array(),
        verifier: () => false,
      }),
      (e: unknown) => {
        assert.ok(isCasError(e) && e.code === 'CAS_STORE_UNAVAILABLE', String(e));
        assert.match(
          e.message,
          new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${port} is unreachable after 3 attempts`),
        );
        assert.doesNotMatch(e.message, /hunter2/);
        return true;
      },
    );
    assert.ok(Date.now() - started >= 150, 'waited between attempts');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
