import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteBackend } from '../../../src/store/physical/sqlite.js';
import { storeConformance } from '../../conformance/store-conformance.js';

storeConformance('sqlite', {
  durable: true,
  fresh: () => {
    const dir = mkdtempSync(join(tmpdir(), 'cas-sqlite-'));
    const path = join(dir, 'cas.db');
    return Promise.resolve({
      open: () => Promise.resolve(openSqliteBackend({ path })),
      cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    });
  },
});
