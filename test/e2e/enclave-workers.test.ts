import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { isCasError } from '../../src/errors/cas-error.js';
import { runBin } from '../helpers/bin.js';
import {
  envMeasurement,
  ok,
  putShowSession,
  replayEvidence,
  runEnv,
  startProvisionedCas,
  type ProvisionedCas,
} from '../helpers/provisioned-cas.js';
import { simulationSession } from '../helpers/session-text.js';

// `[api] enclave_workers = 2`: two processes serve the enclave API's TLS and HTTP; the CAS
// process still verifies, looks up and renders. Everything a workload sees must be as in-process.

/** Process ids of the CAS's enclave workers (tsx may have an esbuild child too). */
function workersOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes('enclave-workers/worker-main'))
      .map((l) => Number(l.trim().split(/\s+/)[0]));
  } catch {
    return [];
  }
}

/** GET over TLS without a client certificate, the CAS's certificate not checked. */
function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { rejectUnauthorized: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

/** The SHA-256 fingerprint of the TLS leaf a listener presents. */
function leafOf(hostPort: string): Promise<string> {
  const i = hostPort.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      {
        host: hostPort.slice(0, i),
        port: Number(hostPort.slice(i + 1)),
        rejectUnauthorized: false,
      },
      () => {
        resolve(socket.getPeerCertificate().fingerprint256);
        socket.destroy();
      },
    );
    socket.on('error', reject);
  });
}

async function until<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a CAS with enclave workers', () => {
  let p: ProvisionedCas | undefined;
  let envHash: string;
  const secrets: string[] = [];
  const showEnv = async (): Promise<Record<string, string>> => {
    const env = await runEnv(p!, 'show/env');
    secrets.push(env['PW'] ?? '');
    return env;
  };

  before(async () => {
    p = await startProvisionedCas('enclave_workers = 2\n');
    envHash = await envMeasurement();
  });
  after(async () => {
    await p?.close();
  });

  test('two worker processes serve; a workload is provisioned through them', async () => {
    const workers = await until('two workers', () => {
      const w = workersOf(p!.cas.child.pid!);
      return w.length === 2 ? w : undefined;
    });
    assert.equal(workers.length, 2);
    const r = ok(
      await runBin('cas-run', [p!.program], {
        env: { ...p!.launch, SCONE_CONFIG_ID: 'hello-demo/hello' },
      }),
      'cas-run',
    );
    assert.match(r.stdout, /GREETING=Hello from the CAS/);
    assert.match(r.stdout, /file server.key mode=600 /);
    // The worker logs its requests, marked; the CAS process logs the attestation.
    assert.match(p!.cas.output(), /"worker":[12],"api":"enclave"/);
    assert.match(p!.cas.output(), /service_attested/);
  });

  test('the workers present the TLS leaf the CAS issued when it was provisioned (pushed over IPC)', async () => {
    const client = /CAS client API: https:\/\/(\S+)\//.exec(p!.cas.stdout())?.[1];
    const leaves = await Promise.all(
      [client!, ...Array<string>(6).fill(p!.launch['SCONE_CAS_ADDR']!)].map(leafOf),
    );
    // Provisioning re-issued the leaf after the workers had started with the first one.
    assert.deepEqual(new Set(leaves), new Set([leaves[0]]));
  });

  test('a session update is seen by the next provisioning', async () => {
    const show = (setting: string): string =>
      simulationSession('show', { service: 'env', environment: { SETTING: setting } });
    await putShowSession(p!, 'create', show('one'), envHash);
    assert.equal((await showEnv())['SETTING'], 'one');
    await putShowSession(p!, 'update', show('two'), envHash);
    assert.equal((await showEnv())['SETTING'], 'two');
  });

  test('replayed evidence is refused with the in-process code; a refusal has the same body', async () => {
    const { refusal, config } = await replayEvidence(p!, 'hello-demo/hello');
    assert.ok(isCasError(refusal) && refusal.code === 'CAS_ATTESTATION_REFUSED', String(refusal));
    assert.equal(config.service, 'hello');
    // The body the CAS process's attestWorkload refused with, relayed unchanged.
    const r = await runBin('cas-run', [p!.program], {
      env: { ...p!.launch, SCONE_CONFIG_ID: 'no-such-session/hello' },
    });
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes('CAS_SESSION_UNKNOWN_OR_DENIED'), r.stderr);
    assert.ok(
      r.stderr.includes(
        'no configuration for no-such-session/hello: the session or service does not exist, or is not available to this workload',
      ),
      r.stderr,
    );
  });

  test('kill -9 of a worker: provisioning still works and a replacement appears', async () => {
    const cas = p!.cas.child.pid!;
    const [victim, survivor] = workersOf(cas);
    assert.ok(victim !== undefined && survivor !== undefined);
    process.kill(victim, 'SIGKILL');
    await until('the worker to be gone', () =>
      workersOf(cas).includes(victim) ? undefined : true,
    );
    assert.ok(Object.keys(await showEnv()).includes('SETTING'));
    const now = await until('a replacement worker', () => {
      const w = workersOf(cas);
      return w.length === 2 && !w.includes(victim) ? w : undefined;
    });
    assert.ok(now.includes(survivor));
    await until('the exit in the CAS log', () =>
      /enclave worker exited; starting a replacement/.test(p!.cas.output()) ? true : undefined,
    );
    // Both workers serve again (several runs, each a new connection).
    for (let i = 0; i < 3; i++) assert.equal((await showEnv())['SETTING'], 'two');
  });

  test("/health on the enclave API has the CAS state; /metrics counts the workers' requests", async () => {
    const health = await get(`https://${p!.launch['SCONE_CAS_ADDR']!}/health`);
    assert.deepEqual(JSON.parse(health), { state: 'provisioned' });
    const client = /CAS client API: (https:\/\/\S+)/.exec(p!.cas.stdout())?.[1];
    assert.ok(client !== undefined);
    // Workers send their counts once a second.
    const counted = await until('enclave counts in /metrics', async () => {
      const text = await get(`${client}metrics`);
      const attest =
        /cas_http_requests_total\{api="enclave",route="\/v1\/enclave\/attest",method="POST",status="200"\} [1-9]/;
      return attest.test(text) && /api="enclave",route="\/health"/.test(text) ? text : undefined;
    });
    assert.match(counted, /api="enclave",route="\/v1\/enclave\/challenge"/);
  });

  test('no secret value appears in the CAS output', () => {
    assert.ok(secrets.length >= 4);
    for (const s of secrets) {
      assert.equal(s.length, 24);
      assert.ok(!p!.cas.output().includes(s), 'a secret value is in the CAS output');
    }
    assert.doesNotMatch(p!.cas.output(), /PRIVATE KEY/);
  });
});
