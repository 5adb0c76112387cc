import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { after, before, describe, test } from 'node:test';
import { defaultSessionEngine } from '../../../src/core/sessions/default-session-engine.js';
import { decodeSecrets } from '../../../src/core/sessions/resolve-imports.js';
import { startSessionWorkers } from '../../../src/core/sessions/workers/session-workers.js';
import { isCasError } from '../../../src/errors/cas-error.js';
import { codeOf } from '../../helpers/evidence.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** A simulation session named `name` with one service and these secret lines. */
const sessionText = (name: string, secrets: string): string => `name: ${name}
version: "0.3.10"
security:
  attestation:
    mode: simulation
services:
  - name: web
    command: /app/server --password $$SCONE::db_password$$
    attestation: {mrenclave: ["${'ab'.repeat(32)}"]}
secrets:
${secrets}`;

const SESSION = sessionText(
  'app',
  `  - {name: db_password, kind: ascii, size: 24}
  - {name: seed, kind: binary, size: 32}
  - {name: CA_KEY, kind: private-key}
  - {name: CA_CERT, kind: x509-ca, private_key: CA_KEY, valid_for: 365d}
  - {name: SERVER_KEY, kind: private-key}
  - {name: SERVER_CERT, kind: x509, issuer: CA_CERT, private_key: SERVER_KEY, common_name: app}
`,
);

const ctx = { now: new Date('2026-11-23T00:00:00Z'), randomBytes: (n: number) => randomBytes(n) };

describe('session workers ([api] session_workers)', () => {
  const threads: Worker[] = [];
  let workers: ReturnType<typeof startSessionWorkers>;
  before(() => {
    workers = startSessionWorkers(2, { onThread: (w) => threads.push(w) });
  });
  after(() => workers.close());

  test('a session parses to the same frozen session, with the same hash, as on the event loop', async () => {
    const local = defaultSessionEngine.parse(SESSION);
    const remote = await workers.engine.parse(SESSION);
    assert.deepEqual(remote, local);
    assert.ok(Object.isFrozen(remote) && Object.isFrozen(remote.secrets[0]));
    assert.equal(workers.engine.hash(remote), defaultSessionEngine.hash(local));
  });

  test('a refusal crosses with its code and every issue', async () => {
    const bad = SESSION.replace('kind: binary', 'kind: binery');
    const local = (() => {
      try {
        defaultSessionEngine.parse(bad);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    await assert.rejects(
      workers.engine.parse(bad),
      (e: unknown) =>
        isCasError(e) &&
        isCasError(local) &&
        e.code === 'CAS_POLICY_INVALID' &&
        e.message === local.message &&
        JSON.stringify(e.details) === JSON.stringify(local.details),
    );
  });

  test('secrets made in a thread: every kind, a certificate chain, an imported issuer', async () => {
    const session = await workers.engine.parse(SESSION);
    const values = decodeSecrets(await workers.engine.generateSecrets(session, ctx));
    assert.deepEqual([...values.keys()].sort(), session.secrets.map((s) => s.name).sort());
    const pem = (name: string): string =>
      (values.get(name)!.reveal() as { certificate_pem: string }).certificate_pem;
    const ca = new X509Certificate(pem('CA_CERT'));
    assert.ok(new X509Certificate(pem('SERVER_CERT')).verify(ca.publicKey));
    // An importer's certificate issued by the exporter's CA, which crosses as a stored value.
    const importer = defaultSessionEngine.parse(
      sessionText(
        'importer',
        `  - {name: db_password, kind: ascii, size: 24}
  - {name: IMPORTED_CA, import: {session: app, secret: CA_CERT}}
  - {name: LEAF_KEY, kind: private-key}
  - {name: LEAF, kind: x509, issuer: IMPORTED_CA, private_key: LEAF_KEY, common_name: leaf}
`,
      ),
    );
    const stored = await workers.engine.generateSecrets(importer, {
      ...ctx,
      imported: new Map([['IMPORTED_CA', values.get('CA_CERT')!]]),
    });
    assert.equal(stored['IMPORTED_CA'], undefined, 'imports are not stored with the importer');
    const leaf = decodeSecrets(stored).get('LEAF')!.reveal() as { certificate_pem: string };
    assert.ok(new X509Certificate(leaf.certificate_pem).verify(ca.publicKey));
  });

  test('an update migrates in a thread by the same rules: values kept, keys made anew', async () => {
    const first = await workers.engine.parse(SESSION);
    const before = await workers.engine.generateSecrets(first, ctx);
    const next = await workers.engine.parse(`predecessor: "${'0'.repeat(64)}"\n${SESSION}`);
    const after = await workers.engine.migrateSecrets(first, before, next, ctx);
    assert.deepEqual(after['db_password'], before['db_password']);
    assert.deepEqual(after['seed'], before['seed']);
    assert.notDeepEqual(after['CA_KEY'], before['CA_KEY'], 'no migrate: true, a new key');
  });

  test('a thread that stops fails its requests with CAS_INTERNAL and is replaced', async () => {
    assert.equal(threads.length, 2);
    // Both threads are stopping; the pool sees it only when they exit, so these requests go
    // to stopping threads and must fail, not hang.
    const stopping = threads.map((thread) => thread.terminate());
    const calls = [codeOf(workers.engine.parse(SESSION)), codeOf(workers.engine.parse(SESSION))];
    await Promise.all(stopping);
    assert.deepEqual(await Promise.all(calls), ['CAS_INTERNAL', 'CAS_INTERNAL']);
    assert.equal(threads.length, 4, 'two new threads');
    assert.equal((await workers.engine.parse(SESSION)).name, 'app');
  });

  test('after close every request fails with CAS_INTERNAL', async () => {
    const closing = startSessionWorkers(1);
    await closing.close();
    assert.equal(await codeOf(closing.engine.parse(SESSION)), 'CAS_INTERNAL');
  });
});

test('session_workers must be at least 1 thread', () => {
  assert.throws(
    () => startSessionWorkers(0),
    (e: unknown) => isCasError(e) && e.code === 'CAS_CONFIG_BAD_VALUE',
  );
});

test('the built CAS (dist/, as `npm ci` makes it) runs its threads from worker-main.js', (t) => {
  const built = join(process.cwd(), 'dist', 'src', 'core', 'sessions', 'workers');
  if (!existsSync(join(built, 'worker-main.js'))) {
    t.skip('skipped: dist/ is not built (npm run build)');
    return;
  }
  // A plain node process without tsx: the .js entry must load on its own.
  const script = `
    import { startSessionWorkers } from ${JSON.stringify(pathToFileURL(join(built, 'session-workers.js')).href)};
    const workers = startSessionWorkers(1);
    const session = await workers.engine.parse(${JSON.stringify(SESSION)});
    process.stdout.write(session.name);
    await workers.close();`;
  // A file, not -e: a worker inherits the process's flags, and --input-type breaks its entry.
  const file = join(tempDir(t), 'run.mjs');
  writeFileSync(file, script);
  const out = execFileSync(process.execPath, [file], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(out, 'app');
});

test('threads that die before answering are not restarted in a loop; requests fail, never hang', async () => {
  let started = 0;
  const logged: string[] = [];
  const broken = startSessionWorkers(1, {
    onThread: (worker) => {
      started++;
      void worker.terminate();
    },
    log: {
      warn: (fields) => logged.push((fields as { event: string }).event),
      error: (fields) => logged.push((fields as { event: string }).event),
    },
  });
  const first = await codeOf(broken.engine.parse(SESSION));
  assert.equal(first, 'CAS_INTERNAL');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(await codeOf(broken.engine.parse(SESSION)), 'CAS_INTERNAL');
  assert.ok(started <= 3, `${started} threads started`);
  assert.equal(logged.at(-1), 'session_workers_failed');
  await broken.close();
});
