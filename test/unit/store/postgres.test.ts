import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  chownSync,
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { openStore, storeExists } from '../../../src/store/open-store.js';
import { openPostgresBackend } from '../../../src/store/physical/postgres.js';
import { POSTGRES_SCHEMA_VERSION } from '../../../src/store/physical/postgres-schema.js';
import { secretKey } from '../../../src/store/keys.js';
import { startTestPostgres } from '../../helpers/postgres.js';
import {
  rejectsWithCode,
  storeConformance,
  str,
  text,
} from '../../conformance/store-conformance.js';
import { testCas, trusting } from './seal-helpers.js';
import { tempDir } from '../../helpers/temp-dir.js';

const server = await startTestPostgres();

if ('skipped' in server) {
  test('PostgreSQL backend', { skip: server.skipped }, () => undefined);
} else {
  after(() => server.stop());

  storeConformance('postgres', {
    durable: true,
    fresh: async () => {
      const db = await server.createDatabase();
      return {
        open: () => openPostgresBackend({ url: db.url, poolSize: 6 }),
        cleanup: () => db.drop(),
      };
    },
  });

  const sql = async (url: string, text: string, args: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(text, args)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };

  describe('postgres specifics', () => {
    test('an unreachable server is CAS_STORE_UNAVAILABLE after the retries', async () => {
      const started = process.hrtime.bigint();
      await rejectsWithCode(
        openPostgresBackend({ url: 'postgres://cas@127.0.0.1:1/none', connectAttempts: 2 }),
        'CAS_STORE_UNAVAILABLE',
      );
      assert.ok(process.hrtime.bigint() - started < 10_000_000_000n);
    });

    test('a schema newer than this code is refused', async () => {
      const db = await server.createDatabase();
      try {
        await (await openPostgresBackend({ url: db.url })).close();
        await sql(db.url, "UPDATE cas_meta SET value = $1 WHERE name = 'schema_version'", [
          String(POSTGRES_SCHEMA_VERSION + 1),
        ]);
        await rejectsWithCode(openPostgresBackend({ url: db.url }), 'CAS_STORE_SCHEMA_TOO_NEW');
      } finally {
        await db.drop();
      }
    });

    test('connections killed by the server are replaced; the next transaction works', async () => {
      const db = await server.createDatabase();
      const backend = await openPostgresBackend({ url: db.url, poolSize: 2 });
      try {
        await backend.transaction((tx) => tx.put('k', text('before')));
        const name = new URL(db.url).pathname.slice(1);
        await sql(
          server.url,
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
          [name],
        );
        const value = await backend.transaction(async (tx) => str((await tx.get('k'))?.value));
        assert.equal(value, 'before');
      } finally {
        await backend.close();
        await db.drop();
      }
    });

    test('a wrong database name is a configuration error, not a retry loop', async () => {
      const url = server.url.replace(/\/postgres$/, '/no_such_database');
      await rejectsWithCode(
        openPostgresBackend({ url, connectAttempts: 1 }),
        'CAS_STORE_CONFIG_INVALID',
      );
    });

    test('without retries, one of two conflicting transactions fails with CAS_STORE_CONFLICT', async () => {
      const db = await server.createDatabase();
      const backend = await openPostgresBackend({ url: db.url, maxRetries: 0 });
      try {
        await backend.transaction((tx) => tx.put('n', text('0')));
        let release!: () => void;
        const bothRead = new Promise<void>((resolve) => (release = resolve));
        let reads = 0;
        const increment = () =>
          backend.transaction(async (tx) => {
            const n = Number(str((await tx.get('n'))?.value));
            reads += 1;
            if (reads === 2) release();
            await bothRead;
            await tx.put('n', text(String(n + 1)));
          });
        const results = await Promise.allSettled([increment(), increment()]);
        const failed = results.filter((r) => r.status === 'rejected');
        assert.equal(failed.length, 1);
        assert.equal(
          ((failed[0] as PromiseRejectedResult).reason as { code?: string }).code,
          'CAS_STORE_CONFLICT',
        );
        const final = await backend.transaction((tx) => tx.get('n'));
        assert.equal(str(final?.value), '1');
      } finally {
        await backend.close();
        await db.drop();
      }
    });

    test('openStore over PostgreSQL: key store in a table, only ciphertext in the cluster files', async (t) => {
      const db = await server.createDatabase();
      const cas = testCas();
      const config = {
        database: { url: db.url },
        stateDir: join(tempDir(t), 'state'),
        instanceKeyHash: cas.keyHash,
        signer: cas.signer,
        verifier: trusting(cas),
      };
      const marker = `SECRET-${randomBytes(12).toString('hex')}`;
      try {
        assert.equal(await storeExists(config.database), false);
        const opened = await openStore(config);
        assert.equal(await storeExists(config.database), true);
        assert.equal(opened.databaseKeyCreated, true);
        assert.match(
          opened.describe().join('\n'),
          /PostgreSQL store postgres:\/\/cas@127\.0\.0\.1:\d+\/cas_test_\d+_\d+ \(no TLS, loopback\)/,
        );
        assert.match(opened.describe().join('\n'), /simulation seal/);
        await opened.store.transaction((tx) => tx.put(secretKey('demo', 'pw'), text(marker)));
        // A second replica over the same database (no file lock with PostgreSQL).
        const replica = await openStore(config);
        assert.equal(
          str(await replica.store.transaction((tx) => tx.get(secretKey('demo', 'pw')))),
          marker,
        );
        await replica.close();
        await opened.close();

        const rows = await sql(db.url, 'SELECT document FROM cas_key_store');
        assert.equal(rows.length, 1);
        assert.match(String(rows[0]!['document']), /cas-key-store-v1/);
        await sql(server.url, 'CHECKPOINT');
        const files = readdirSync(server.dataDir, { recursive: true, encoding: 'utf8' })
          .map((f) => join(server.dataDir, f))
          .filter((f) => statSync(f).isFile());
        for (const file of files) {
          assert.equal(readFileSync(file).includes(marker), false, `${file} holds the secret`);
        }
      } finally {
        await db.drop();
      }
    });

    test('TLS verify-full: the right CA connects over TLS; a wrong CA or name is refused', async (t) => {
      if (!existsSync('/usr/bin/openssl')) {
        t.skip('skipped: openssl not found to make test certificates');
        return;
      }
      const dir = tempDir(t);
      const openssl = (...args: string[]) =>
        execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
      const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
      openssl(
        'req',
        '-x509',
        ...ec,
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-subj',
        '/CN=cas test CA',
        '-days',
        '2',
      );
      openssl(
        'req',
        ...ec,
        '-keyout',
        'server.key',
        '-out',
        'server.csr',
        '-subj',
        '/CN=127.0.0.1',
      );
      writeFileSync(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1\n');
      openssl(
        'x509',
        '-req',
        '-in',
        'server.csr',
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        'server.crt',
        '-days',
        '2',
        '-extfile',
        'ext',
      );
      openssl(
        'req',
        '-x509',
        ...ec,
        '-keyout',
        'other.key',
        '-out',
        'other.crt',
        '-subj',
        '/CN=other CA',
        '-days',
        '2',
      );
      const owner = statSync(server.dataDir);
      for (const file of ['server.crt', 'server.key']) {
        copyFileSync(join(dir, file), join(server.dataDir, file));
        chownSync(join(server.dataDir, file), owner.uid, owner.gid);
      }
      await sql(server.url, "ALTER SYSTEM SET ssl_cert_file = 'server.crt'");
      await sql(server.url, "ALTER SYSTEM SET ssl_key_file = 'server.key'");
      await sql(server.url, 'ALTER SYSTEM SET ssl = on');
      await sql(server.url, 'SELECT pg_reload_conf()');
      const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
      const db = await server.createDatabase();
      try {
        const backend = await openPostgresBackend({
          url: db.url,
          tls: { mode: 'verify-full', ca },
        });
        const { rows } = await backend.pool.query<{ ssl: boolean }>(
          'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
        );
        assert.equal(rows[0]?.ssl, true);
        assert.match(backend.describe(), /TLS, server certificate verified/);
        await backend.close();
        const other = readFileSync(join(dir, 'other.crt'), 'utf8');
        await rejectsWithCode(
          openPostgresBackend({
            url: db.url,
            connectAttempts: 1,
            tls: { mode: 'verify-full', ca: other },
          }),
          'CAS_STORE_TLS_UNVERIFIED',
        );
        await rejectsWithCode(
          openPostgresBackend({
            url: db.url,
            connectAttempts: 1,
            tls: { mode: 'verify-full', ca, servername: 'db.example' },
          }),
          'CAS_STORE_TLS_UNVERIFIED',
        );
      } finally {
        await sql(server.url, 'ALTER SYSTEM SET ssl = off');
        await sql(server.url, 'SELECT pg_reload_conf()');
        await db.drop();
      }
    });
  });
}
