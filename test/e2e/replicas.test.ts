import assert from 'node:assert/strict';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { generateIdentity } from '../../src/crypto/identity.js';
import { runBin } from '../helpers/bin.js';
import { lastField, stopDaemon, type Daemon } from '../helpers/daemon.js';
import { freePort } from '../helpers/free-port.js';
import { startTestPostgres } from '../helpers/postgres.js';
import {
  launchEnv,
  ok,
  provisionCas,
  startCas,
  startLas,
  writeOwnerConfig,
} from '../helpers/provisioned-cas.js';
import { writeReplicaConfig } from '../helpers/replica-config.js';
import { simulationSession } from '../helpers/session-text.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

// Two CAS replicas over one throwaway PostgreSQL, behind a TCP load balancer (a test proxy), as
// docs/replicas.md tells an operator to run them: the client pins one CAS identity, a session
// created on one replica is used on the other at once, and losing a replica loses nothing.

const server = await startTestPostgres();

const MARKER = 'replica-session-marker-5d1c';

/** The replicated session at `stage`, attested against `envHash` (`cas-run --hash env`). */
function session(name: string, envHash: string, stage: string, predecessor?: string): string {
  return simulationSession(name, {
    environment: { STAGE: stage, NOTE: MARKER },
    mrenclave: envHash,
    ...(predecessor === undefined ? {} : { predecessor }),
  });
}

/** Every file under `dir` (the cluster's data directory, WAL included). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return filesUnder(path);
    return e.isFile() ? [path] : [];
  });
}

if ('skipped' in server) {
  test('CAS replicas over PostgreSQL', { skip: server.skipped }, () => undefined);
} else {
  describe('two CAS replicas over one PostgreSQL behind a TCP load balancer', () => {
    let dir: string;
    let url: string;
    let dropDb: () => Promise<void>;
    let a: Daemon | undefined;
    let b: Daemon | undefined;
    let las: Daemon | undefined;
    let apiLb: TcpProxy;
    let enclaveLb: TcpProxy;
    let dbLinkB: TcpProxy;
    let cli: NodeJS.ProcessEnv;
    let launch: NodeJS.ProcessEnv;
    let envHash: string;
    let casKeyHash: string;
    const A = 0;
    const B = 1;
    const only = (i: number) => () => i;
    // Generous timeouts: on a loaded machine a request that waits out the database retries
    // must still end with its own exit code rather than the helper's kill.
    const scone = (args: string[]) => runBin('scone', args, { env: cli, timeoutMs: 120_000 });
    const casRun = () =>
      runBin('cas-run', ['env'], {
        env: { ...launch, SCONE_CONFIG_ID: 'replicated/show' },
        timeoutMs: 120_000,
      });
    const passwords: string[] = [];

    const config = (name: string, dbUrl: string, stateDir: string) =>
      writeReplicaConfig(dir, name, dbUrl, stateDir);
    const sql = async (text: string, where = url) => {
      const client = new pg.Client({ connectionString: where });
      await client.connect();
      try {
        return (await client.query(text)).rows as Array<Record<string, unknown>>;
      } finally {
        await client.end();
      }
    };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'cas-replicas-'));
      const db = await server.createDatabase();
      url = db.url;
      dropDb = () => db.drop();
      cli = { SCONE_CLI_CONFIG: join(dir, 'cli.json') };
      const { port: pgPort } = new URL(url);
      dbLinkB = await startTcpProxy([`127.0.0.1:${pgPort}`]);
      const viaLink = url.replace(`:${pgPort}/`, `:${dbLinkB.address.split(':')[1]}/`);
      const ca = await config('a', url, 'state-a');
      const cb = await config('b', viaLink, 'state-b');
      apiLb = await startTcpProxy([ca.api, cb.api]);
      enclaveLb = await startTcpProxy([ca.enclave, cb.enclave]);
      apiLb.route = only(A);
      a = await startCas(dir, ['-c', ca.file]);
      casKeyHash = lastField(a.stdout(), 'CAS key hash:');
      writeOwnerConfig(dir, '[audit_log]\nmode = "signed"\n');
      ok(
        await provisionCas({ dir, api: apiLb.address }, a, cli, { timeoutMs: 120_000 }),
        'provision through the load balancer (to A)',
      );
      // The second replica joins with the deployment's instance state (docs/replicas.md).
      cpSync(join(dir, 'state-a'), join(dir, 'state-b'), { recursive: true });
      b = await startCas(dir, ['-c', cb.file]);
      assert.equal(lastField(b.stdout(), 'CAS key hash:'), casKeyHash, 'one CAS identity');
      las = await startLas(dir);
      envHash = ok(await runBin('cas-run', ['--hash', 'env']), 'hash env').stdout.trim();
      launch = { ...launchEnv(a, las), SCONE_CAS_ADDR: enclaveLb.address };
    });

    after(async () => {
      for (const d of [a, b, las]) if (d !== undefined) await stopDaemon(d.child);
      for (const p of [apiLb, enclaveLb, dbLinkB]) await p?.close();
      await dropDb?.();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('created on A, attested through B, updated on B, read and attested on A', async () => {
      writeFileSync(join(dir, 'v1.yaml'), session('replicated', envHash, 'one'));
      apiLb.route = only(A);
      ok(await scone(['session', 'create', join(dir, 'v1.yaml')]), 'create on A');

      enclaveLb.route = only(B);
      const servedB = enclaveLb.served[B]!;
      const first = ok(await casRun(), 'attest through B');
      assert.ok(enclaveLb.served[B]! > servedB, 'B served the attestation');
      assert.match(first.stdout, /^STAGE=one$/m);
      passwords.push(/^PW=(.*)$/m.exec(first.stdout)?.[1] ?? '');
      assert.equal(passwords[0]!.length, 24);

      // A attests once so that its per-session cache holds version one.
      enclaveLb.route = only(A);
      assert.match(ok(await casRun(), 'attest through A').stdout, /^STAGE=one$/m);

      writeFileSync(join(dir, 'v2.yaml'), session('replicated', envHash, 'two'));
      apiLb.route = only(B);
      ok(await scone(['session', 'update', join(dir, 'v2.yaml')]), 'update on B');

      apiLb.route = only(A);
      const read = ok(await scone(['session', 'read', 'replicated']), 'read on A');
      assert.match(read.stdout, /STAGE: two/);
      assert.ok(!read.stdout.includes(passwords[0]!), 'a session read shows no secret value');

      const again = ok(await casRun(), 'attest through A after the update on B');
      assert.match(again.stdout, /^STAGE=two$/m, "A's cache did not serve the old version");
      assert.equal(/^PW=(.*)$/m.exec(again.stdout)?.[1], passwords[0], 'same secret');

      // One audit chain for the deployment: both replicas' files verify together against the
      // checkpoint either replica states; either file alone does not.
      const files = ['a-audit.log', 'b-audit.log'].map((f) => join(dir, f));
      const verified = await scone(['cas', 'verify-audit-log', ...files]);
      assert.equal(verified.code, 0, verified.stdout + verified.stderr);
      assert.match(verified.stdout, /intact and matches the CAS checkpoint/);
      const alone = await scone(['cas', 'verify-audit-log', files[0]!]);
      assert.notEqual(alone.code, 0, alone.stdout);
    });

    test('concurrent updates with the same predecessor on A and B: exactly one wins', async () => {
      apiLb.route = only(A);
      const read = ok(await scone(['session', 'read', 'replicated']), 'read');
      const hash = /# hash: ([0-9a-f]{64})/.exec(read.stdout)?.[1];
      assert.ok(hash !== undefined, read.stdout);
      writeFileSync(join(dir, 'race-a.yaml'), session('replicated', envHash, 'race-a', hash));
      writeFileSync(join(dir, 'race-b.yaml'), session('replicated', envHash, 'race-b', hash));
      const before = [...apiLb.served];
      apiLb.route = (n) => n % 2;
      const results = await Promise.all(
        ['race-a', 'race-b'].map((f) => scone(['session', 'create', join(dir, `${f}.yaml`)])),
      );
      assert.ok(apiLb.served[A]! > before[A]! && apiLb.served[B]! > before[B]!, 'both served');
      const winners = results.filter((r) => r.code === 0);
      const losers = results.filter((r) => r.code !== 0);
      assert.equal(winners.length, 1, results.map((r) => r.stderr).join('\n'));
      assert.ok(losers[0]!.stderr.includes('CAS_SESSION_STALE_PREDECESSOR'), losers[0]!.stderr);
    });

    test('the database link of B cut mid-run: coded 503, no partial write, then B serves again', async () => {
      apiLb.route = only(B);
      const before = ok(await scone(['session', 'read', 'replicated']), 'read on B').stdout;
      dbLinkB.cut();
      try {
        const read = await scone(['session', 'read', 'replicated']);
        assert.equal(read.code, 4, read.stderr);
        assert.ok(read.stderr.includes('CAS_STORE_UNAVAILABLE'), read.stderr);
        writeFileSync(join(dir, 'v3.yaml'), session('replicated', envHash, 'three'));
        const update = await scone(['session', 'update', join(dir, 'v3.yaml')]);
        assert.notEqual(update.code, 0);
      } finally {
        dbLinkB.restore();
      }
      const afterCut = ok(await scone(['session', 'read', 'replicated']), 'read on B again');
      assert.equal(afterCut.stdout, before, 'nothing was written while the database was away');
      apiLb.route = only(A);
      assert.equal(ok(await scone(['session', 'read', 'replicated']), 'A').stdout, before);
    });

    test('A killed mid-load: B keeps serving and every acknowledged write is there', async () => {
      apiLb.route = (n) => n % 2;
      const acknowledged: string[] = [];
      const unanswered: string[] = [];
      const create = async (i: number) => {
        const name = `load-${i}`;
        writeFileSync(join(dir, `${name}.yaml`), session(name, envHash, 'load'));
        const r = await scone(['session', 'create', join(dir, `${name}.yaml`)]);
        if (r.code === 0) acknowledged.push(name);
        else {
          assert.equal(r.code, 4, `a lost replica is a network failure: ${r.stderr}`);
          unanswered.push(name);
        }
      };
      // SIGKILL A the moment the balancer hands it a connection of the third round, so that a
      // request is in flight on it.
      const killOnNextConnection = async () => {
        const seen = apiLb.served[A]!;
        const deadline = Date.now() + 60_000;
        while (apiLb.served[A] === seen && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 5));
        }
        a!.child.kill('SIGKILL');
      };
      for (let i = 0; i < 8; i += 2) {
        await Promise.all([create(i), create(i + 1), ...(i === 4 ? [killOnNextConnection()] : [])]);
      }
      assert.equal(a!.child.signalCode ?? 'SIGKILL', 'SIGKILL');
      assert.ok(acknowledged.length >= 6, `acknowledged: ${acknowledged.join(', ')}`);
      apiLb.route = only(A); // the balancer fails over to B, as after a failed health check
      const list = ok(await scone(['session', 'list']), 'list on B').stdout;
      for (const name of acknowledged) assert.ok(list.includes(name), `${name} in:\n${list}`);
      // A write cut off mid-request either committed whole or not at all.
      for (const name of unanswered.filter((n) => list.includes(n))) {
        assert.match(ok(await scone(['session', 'read', name]), name).stdout, /STAGE: load/);
      }
      enclaveLb.route = only(A);
      const run = ok(await casRun(), 'attest with A dead');
      assert.equal(/^PW=(.*)$/m.exec(run.stdout)?.[1], passwords[0]);
    });

    test('replicas that must not serve refuse at start and say why', async () => {
      // Unregistered: its own instance state, no entry in the key store. It does not serve
      // the database; it waits to be registered (replicas-registration.test.ts goes on).
      const fresh = await config('c', url, 'state-c');
      const unregistered = await startCas(dir, ['-c', fresh.file]);
      try {
        assert.match(unregistered.stdout(), /CAS awaiting registration/);
        assert.doesNotMatch(unregistered.stdout(), /provisioning token/);
      } finally {
        await stopDaemon(unregistered.child);
      }

      // A schema written by a newer version.
      cpSync(join(dir, 'state-a'), join(dir, 'state-d'), { recursive: true });
      const newer = await config('d', url, 'state-d');
      const [{ value }] = (await sql(
        "SELECT value FROM cas_meta WHERE name = 'schema_version'",
      )) as [{ value: string }];
      await sql("UPDATE cas_meta SET value = '999' WHERE name = 'schema_version'");
      try {
        const r = await runBin('cas', ['-c', join(dir, newer.file)], { timeoutMs: 120_000 });
        assert.notEqual(r.code, 0);
        assert.ok(r.stderr.includes('CAS_STORE_SCHEMA_TOO_NEW'), r.stderr);
      } finally {
        await sql(`UPDATE cas_meta SET value = '${value}' WHERE name = 'schema_version'`);
      }

      // A different database key: the same instance provisioned another database, and its
      // (validly signed) key-store row put in place of this database's.
      const other = await server.createDatabase();
      try {
        cpSync(join(dir, 'state-a'), join(dir, 'state-f'), { recursive: true });
        const elsewhere = await config('f', other.url, 'state-f');
        const owner = await generateIdentity();
        writeFileSync(join(dir, 'owner.pem'), owner.certPem);
        const f = await startCas(
          dir,
          ['-c', elsewhere.file, 'provision', '--owner-config', 'owner.toml'].concat([
            '--owner-identity',
            'owner.pem',
          ]),
        );
        await stopDaemon(f.child);
        const [row] = await sql('SELECT document FROM cas_key_store WHERE id = 1', other.url);
        const [mine] = await sql('SELECT document FROM cas_key_store WHERE id = 1');
        await sql(`UPDATE cas_key_store SET document = '${String(row!['document'])}'`);
        try {
          const r = await runBin('cas', ['-c', join(dir, newer.file)], { timeoutMs: 120_000 });
          assert.equal(r.code, 3, r.stderr);
          assert.ok(r.stderr.includes('CAS_STORE_WRONG_KEY'), r.stderr);
        } finally {
          await sql(`UPDATE cas_key_store SET document = '${String(mine!['document'])}'`);
        }
      } finally {
        await other.drop();
      }

      // PostgreSQL unreachable at start: retried with backoff, then a coded error, never a
      // listening server.
      const closed = `127.0.0.1:${await freePort()}`;
      const down = await config('e', url.replace(/@[^/]+\//, `@${closed}/`), 'state-d');
      const started = Date.now();
      const r = await runBin('cas', ['-c', join(dir, down.file)], { timeoutMs: 120_000 });
      assert.equal(r.code, 4, r.stderr);
      assert.ok(r.stderr.includes('CAS_STORE_UNAVAILABLE'), r.stderr);
      assert.ok(Date.now() - started > 500, 'retried with backoff before giving up');
      assert.match(r.stderr, new RegExp(`PostgreSQL at ${closed} is unreachable after 5 attempts`));
      assert.doesNotMatch(r.stdout, /CAS client API/);
    });

    test('no secret value or session text in any file of the PostgreSQL data directory', async () => {
      await sql('CHECKPOINT');
      const needles = [passwords[0]!, MARKER].map((s) => Buffer.from(s, 'utf8'));
      let scanned = 0;
      for (const file of filesUnder(server.dataDir)) {
        if (statSync(file).size === 0) continue;
        const bytes = readFileSync(file);
        scanned += 1;
        for (const needle of needles) {
          assert.equal(bytes.indexOf(needle), -1, `${needle.toString()} found in ${file}`);
        }
      }
      assert.ok(scanned > 10, `scanned ${scanned} files`);
    });
  });
}
