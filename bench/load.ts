// The load process: drives the CAS, the LAS, the limit server and the Barbican peer over
// loopback, exactly as clients do (the enclave client of cas-run, the CAS client of the CLI),
// and measures throughput and latency. Driven by bench/run.mjs over IPC.
import { createPrivateKey, createSign, createVerify, generateKeyPairSync } from 'node:crypto';
import { Pool } from 'undici';
import { createCasClient, type CasClient } from '../src/client/cas-client.js';
import { generateIdentity, type Identity } from '../src/crypto/identity.js';
import { workloadBinding } from '../src/crypto/workload-binding.js';
import { openEnclaveConnection } from '../src/launcher/enclave-client.js';
import { requestSimEvidence } from '../src/launcher/las-client.js';
import { makeClientKeys, type BenchClientKey } from './client-keys.js';
import { serveIpc } from './ipc.js';

/** Throughput and latency of one measured run. */
export interface RunFigures {
  readonly concurrency: number;
  readonly ops: number;
  readonly errors: number;
  readonly seconds: number;
  readonly per_second: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
  readonly first_error?: string;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))]!;
}

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/** Runs `count` operations with `concurrency` in flight; failures are counted, not retried. */
async function runOps(
  count: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<RunFigures> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      const s = performance.now();
      try {
        await op(i);
        latencies.push(performance.now() - s);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    ops: latencies.length,
    errors,
    seconds: round(seconds, 3),
    per_second: round(latencies.length / seconds, 1),
    p50_ms: round(percentile(latencies, 0.5)),
    p95_ms: round(percentile(latencies, 0.95)),
    p99_ms: round(percentile(latencies, 0.99)),
    ...(firstError === undefined ? {} : { first_error: firstError }),
  };
}

interface Target {
  clientPort: number;
  enclavePort: number;
  lasPort: number;
  casKeyHash: string;
  softwareKeyHash: string;
  casCertPem: string;
  program: string;
}

let owner: Identity | undefined;
let target: Target | undefined;
let client: CasClient | undefined;
let anonymous: Pool | undefined;
/** Hashes of the sessions each `sessions` create phase made, by tag (for the update phase). */
const createdHashes = new Map<string, string[]>();

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not set up`);
  return value;
}

/** One full provisioning, as cas-run does it (key made beforehand). */
async function attestOnce(t: Target, key: BenchClientKey, configId: string): Promise<void> {
  const connection = await openEnclaveConnection({ host: '127.0.0.1', port: t.enclavePort }, key, {
    casKeyHash: t.casKeyHash,
    softwareKeyHash: t.softwareKeyHash,
  });
  try {
    const nonce = await connection.challenge();
    const evidence = await requestSimEvidence(
      { host: '127.0.0.1', port: t.lasPort },
      t.program,
      workloadBinding(nonce, key.spki),
    );
    const config = await connection.attest({
      config_id: configId,
      nonce: nonce.toString('hex'),
      evidence: { type: evidence.type, data: evidence.data },
    });
    if (config.files.length === 0) throw new Error('no injection files in the configuration');
  } finally {
    await connection.close();
  }
}

/** The limit's operation: the same TLS connection and first request, to the trivial server. */
async function handshakeOnce(t: Target, port: number, key: BenchClientKey): Promise<void> {
  const connection = await openEnclaveConnection({ host: '127.0.0.1', port }, key, {
    casKeyHash: t.casKeyHash,
    softwareKeyHash: t.softwareKeyHash,
  });
  try {
    await connection.challenge();
  } finally {
    await connection.close();
  }
}

serveIpc({
  async init() {
    owner = await generateIdentity();
    return { ownerCertPem: owner.certPem };
  },
  connect(args) {
    target = args as unknown as Target;
    client = createCasClient({
      address: `127.0.0.1:${target.clientPort}`,
      identity: need(owner, 'owner'),
      pin: { casCertPem: target.casCertPem, softwareKeyHash: target.softwareKeyHash },
    });
    anonymous = new Pool(`https://127.0.0.1:${target.clientPort}`, {
      connect: { rejectUnauthorized: false },
    });
    return Promise.resolve({});
  },
  async createSession(args) {
    return need(client, 'client').call('POST', '/session', { text: String(args['text']) });
  },
  /** Full provisionings of `configIds[i % n]` (or handshakes against `limitPort`). */
  async attest(args) {
    const t = need(target, 'target');
    const count = Number(args['count']);
    const keys = await makeClientKeys(count);
    const ids = args['configIds'] as string[];
    const limitPort = args['limitPort'] as number | undefined;
    return runOps(count, Number(args['concurrency']), (i) =>
      limitPort === undefined
        ? attestOnce(t, keys[i]!, ids[i % ids.length]!)
        : handshakeOnce(t, limitPort, keys[i]!),
    );
  },
  /**
   * One phase over `count` sessions made from `template` ($NAME, $RELEASE) and named by `tag`:
   * `create`, then `update` (a new version naming the created one as predecessor), then `read`.
   */
  async sessions(args) {
    const c = need(client, 'client');
    const count = Number(args['count']);
    const concurrency = Number(args['concurrency']);
    const template = String(args['template']);
    const tag = String(args['tag']);
    const text = (i: number, n: number): string =>
      template.replaceAll('$NAME', `${tag}-${i}`).replaceAll('$RELEASE', String(n));
    switch (args['phase']) {
      case 'create': {
        const hashes: string[] = [];
        createdHashes.set(tag, hashes);
        return runOps(count, concurrency, async (i) => {
          const r = (await c.call('POST', '/session', { text: text(i, 0) })) as { hash: string };
          hashes[i] = r.hash;
        });
      }
      case 'update': {
        const hashes = need(createdHashes.get(tag), `sessions ${tag}`);
        return runOps(count, concurrency, async (i) => {
          await c.call('PUT', '/session', {
            text: `predecessor: "${hashes[i]!}"\n${text(i, 1)}`,
          });
        });
      }
      case 'read':
        return runOps(count, concurrency, async (i) => {
          await c.call('GET', `/v1/sessions/${tag}-${i}`);
        });
      default:
        throw new Error(`unknown phase ${String(args['phase'])}`);
    }
  },
  /** Reads `count` sessions named by `names[i % n]` (mutual TLS, keep-alive). */
  async read(args) {
    const c = need(client, 'client');
    const names = args['names'] as string[];
    return runOps(Number(args['count']), Number(args['concurrency']), async (i) => {
      await c.call('GET', `/v1/sessions/${names[i % names.length]!}`);
    });
  },
  /** `GET /v1/values/...` without a client certificate (keep-alive TLS). */
  async values(args) {
    const pool = need(anonymous, 'pool');
    const path = String(args['path']);
    return runOps(Number(args['count']), Number(args['concurrency']), async () => {
      const r = await pool.request({ path, method: 'GET' });
      const body = await r.body.text();
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}: ${body.slice(0, 200)}`);
    });
  },
  /** ECDSA P-256 (SHA-256) verifications per second on one core, for `seconds`. */
  verify(args) {
    const seconds = Number(args['seconds']);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const message = Buffer.alloc(64, 7);
    const signature = createSign('sha256')
      .update(message)
      .sign(createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })));
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < seconds * 1000) {
      for (let j = 0; j < 100; j++) {
        if (!createVerify('sha256').update(message).verify(publicKey, signature)) {
          throw new Error('verify failed');
        }
      }
      n += 100;
      t = performance.now();
    }
    return Promise.resolve({ per_second: round((n * 1000) / (t - t0), 0) });
  },
  /**
   * Barbican: POST /v1/secrets, then GET the payloads of what was stored. uWSGI's
   * `--http-socket` closes the connection after each response, so every request goes on a new
   * connection (`reset`): reusing one would race its close (ECONNRESET).
   */
  async barbican(args) {
    const base = String(args['url']);
    const pool = new Pool(base, { connections: Number(args['concurrency']) });
    const count = Number(args['count']);
    const concurrency = Number(args['concurrency']);
    const payload = String(args['payload']);
    const ids: string[] = [];
    const headers = { 'x-project-id': 'bench', 'content-type': 'application/json' };
    const store = await runOps(count, concurrency, async (i) => {
      const r = await pool.request({
        path: '/v1/secrets',
        method: 'POST',
        reset: true,
        headers,
        body: JSON.stringify({ name: `s${i}`, payload, payload_content_type: 'text/plain' }),
      });
      const body = await r.body.text();
      if (r.statusCode !== 201) throw new Error(`status ${r.statusCode}: ${body.slice(0, 200)}`);
      ids[i] = (JSON.parse(body) as { secret_ref: string }).secret_ref.split('/').pop()!;
    });
    const stored = ids.filter((x) => x !== undefined);
    const retrieve = await runOps(count, concurrency, async (i) => {
      const r = await pool.request({
        path: `/v1/secrets/${stored[i % stored.length]!}/payload`,
        method: 'GET',
        reset: true,
        headers: { 'x-project-id': 'bench', accept: 'text/plain' },
      });
      const body = await r.body.text();
      if (r.statusCode !== 200 || body !== payload) throw new Error(`status ${r.statusCode}`);
    });
    await pool.close();
    return { store, retrieve };
  },
});
