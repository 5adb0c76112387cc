import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runBin, type RunResult } from '../helpers/bin.js';
import { lastField, stopDaemon, type Daemon } from '../helpers/daemon.js';
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

// A second replica with its OWN state directory (own instance key, seal and backup key) joins a
// PostgreSQL deployment by registration, as docs/replicas.md says: it starts awaiting
// registration, a registered replica attests it and wraps the database key to it
// (`scone cas register-backup`), and it serves without a restart. Each replica is its own CAS
// identity: clients and workloads pin the replica they talk to.

const server = await startTestPostgres();

/** `GET /health` of a client API (no client certificate; the CAS's TLS is checked by pins). */
async function health(address: string): Promise<{ status: number; state: unknown }> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const request = httpsGet(
      { host, port: Number(port), path: '/health', rejectUnauthorized: false },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            state: (JSON.parse(body) as { state?: unknown }).state,
          }),
        );
      },
    );
    request.on('error', reject);
  });
}

if ('skipped' in server) {
  test('CAS replica registration over PostgreSQL', { skip: server.skipped }, () => undefined);
} else {
  describe('a replica with its own instance keys registered over PostgreSQL', () => {
    let dir: string;
    let url: string;
    let dropDb: () => Promise<void>;
    const daemons: Daemon[] = [];
    let enclaveLb: TcpProxy | undefined;
    const cli = (): NodeJS.ProcessEnv => ({ SCONE_CLI_CONFIG: join(dir, 'cli.json') });
    const scone = (args: string[]) => runBin('scone', args, { env: cli(), timeoutMs: 120_000 });

    const config = (name: string) => writeReplicaConfig(dir, name, url);
    const start = async (file: string) => {
      const d = await startCas(dir, ['-c', file]);
      daemons.push(d);
      return d;
    };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'cas-replica-reg-'));
      const db = await server.createDatabase();
      dropDb = () => db.drop();
      writeOwnerConfig(dir, '[audit_log]\nmode = "signed"\n');
      url = db.url;
    });

    after(async () => {
      for (const d of daemons) await stopDaemon(d.child);
      await enclaveLb?.close();
      await dropDb?.();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('B awaits registration, is registered from A, then serves what A created', async () => {
      const ca = await config('a');
      const cb = await config('b');
      const a = await start(ca.file);
      const hashA = lastField(a.stdout(), 'CAS key hash:');
      ok(await provisionCas({ dir, api: ca.api }, a, cli(), { timeoutMs: 120_000 }), 'provision A');
      const envHash = ok(await runBin('cas-run', ['--hash', 'env']), 'hash').stdout.trim();
      writeFileSync(join(dir, 'joined.yaml'), simulationSession('joined', { mrenclave: envHash }));
      ok(await scone(['session', 'create', join(dir, 'joined.yaml')]), 'create on A');

      // B: its own state directory, no entry in the key store: it starts, but only waits.
      const b = await start(cb.file);
      const hashB = lastField(b.stdout(), 'CAS key hash:');
      assert.notEqual(hashB, hashA, 'B has its own CAS key');
      assert.match(b.stdout(), /CAS awaiting registration: run scone cas register-backup/);
      assert.doesNotMatch(b.stdout(), /provisioning token/);
      ok(
        await scone(['cas', 'attest', cb.api, '--only_for_testing-debug', '--name', 'replica-b']),
        'attest B while it awaits registration',
      );
      assert.deepEqual(await health(cb.api), { status: 503, state: 'awaiting_registration' });
      const early = await scone(['session', 'read', 'joined', '--cas', 'replica-b']);
      assert.equal(early.code, 4, early.stderr);
      assert.ok(early.stderr.includes('CAS_BACKUP_AWAITING_REGISTRATION'), early.stderr);

      // The owner registers B from A (the default CAS): A attests B and wraps the key to it.
      const reg = await scone(['cas', 'register-backup', cb.api, '--only_for_testing-debug']);
      ok(reg, `register B from A\n${a.output().slice(-2000)}\n${b.output().slice(-2000)}`);
      assert.ok(reg.stdout.includes(hashB), reg.stdout);

      // B finds its entry by itself (no restart) and serves the session created on A.
      let read: RunResult | undefined;
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        read = await scone(['session', 'read', 'joined', '--cas', 'replica-b']);
        if (read.code === 0) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      ok(read!, `read on B after registration\n${b.output().slice(-2000)}`);
      assert.deepEqual(await health(cb.api), { status: 200, state: 'provisioned' });
      assert.match(read!.stdout, /name: joined/);

      // Workloads through a TCP balancer pin the replica it routes them to: same secret.
      enclaveLb = await startTcpProxy([ca.enclave, cb.enclave]);
      const las = await startLas(dir);
      daemons.push(las);
      const run = (pin: string) =>
        runBin('cas-run', ['env'], {
          // Through the balancer, pinned to one replica's key.
          env: {
            ...launchEnv(a, las),
            SCONE_CAS_ADDR: enclaveLb!.address,
            SCONE_CAS_KEY_HASH: pin,
            SCONE_CONFIG_ID: 'joined/show',
          },
          timeoutMs: 120_000,
        });
      enclaveLb.route = () => 0;
      const viaA = ok(await run(hashA), 'attest through A');
      enclaveLb.route = () => 1;
      const viaB = ok(await run(hashB), 'attest through B');
      const pw = (r: RunResult) => /^PW=(.*)$/m.exec(r.stdout)?.[1];
      assert.equal(pw(viaB), pw(viaA), 'one database, one secret');
      assert.equal(pw(viaA)?.length, 24);
      // B's key is not A's: a workload pinned to A refuses B.
      const wrongPin = await run(hashA);
      assert.equal(wrongPin.code, 3, wrongPin.stderr);
      assert.ok(wrongPin.stderr.includes('CAS_LAUNCHER_CAS_UNTRUSTED'), wrongPin.stderr);

      // One audit chain over both replicas' files, each replica's lines under its own CAS key.
      const files = ['a-audit.log', 'b-audit.log'].map((f) => join(dir, f));
      const verified = await scone(['cas', 'verify-audit-log', ...files, '--replica', hashB]);
      assert.equal(verified.code, 0, verified.stdout + verified.stderr);
      const oneKey = await scone(['cas', 'verify-audit-log', ...files]);
      assert.equal(oneKey.code, 19, oneKey.stdout);
      assert.ok(oneKey.stderr.includes('CAS_AUDIT_OTHER_CAS'), oneKey.stderr);
    });
  });
}
