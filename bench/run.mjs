#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --peer barbican]`: starts a CAS (SQLite, fresh temp dirs,
// self-provisioned), a LAS and a trivial HTTPS "limit" server, each in its own process, drives
// them from a separate load process over loopback, prints one JSON object per scenario and
// writes it to bench/results/<scenario>.json (bench/results/quick/ with --quick).
// Never run by `npm test`. See bench/README.md.
import { execFileSync, fork, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startBarbican } from './barbican.mjs';
import { renderPlot } from './plot.mjs';
import { ATTEST_SESSION, FILLER_SESSION, PEER_SESSION, UPDATE_SESSION } from './sessions.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href;

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    peer: { type: 'string' },
    'keep-dir': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
if (opts.peer !== undefined && opts.peer !== 'barbican') {
  process.stderr.write(`unknown peer ${opts.peer}; the only peer is barbican\n`);
  process.exit(1);
}
const ONLY = ['attest', 'session', 'peer', 'scale', 'store'];
if (opts.only !== undefined && !ONLY.includes(opts.only)) {
  process.stderr.write(`unknown --only ${opts.only}; one of ${ONLY.join(', ')}\n`);
  process.exit(1);
}
const QUICK = opts.quick;
const SIZES = QUICK ? [1e3] : [1e3, 1e5, 1e6];
const COUNTS = QUICK
  ? {
      attest: { 1: 20, 16: 48, 64: 96 },
      sessions: 32,
      read: 200,
      scaleAttest: 20,
      verifySeconds: 1,
    }
  : {
      attest: { 1: 300, 16: 1500, 64: 2000 },
      // BENCH_SESSION_OPS: more operations per session phase, for profiling and A/B runs.
      sessions: Number(process.env.BENCH_SESSION_OPS ?? 400),
      read: 2000,
      scaleAttest: 200,
      verifySeconds: 3,
    };
const BULK_BUDGET_SECONDS = Number(process.env.BENCH_BULK_BUDGET ?? (QUICK ? 30 : 360));
const WORKERS = Number(process.env.BENCH_ENCLAVE_WORKERS ?? 0);
const SESSION_WORKERS = Number(process.env.BENCH_SESSION_WORKERS ?? 0);
// Each compared figure is measured in this many rounds, the two sides interleaved, and the round
// with the median ratio is reported with the range of all rounds: on 2 cores shared by client
// and servers (and other tenants) one round moves by ±15 %, so a single one says little.
const ROUNDS = QUICK ? 1 : Number(process.env.BENCH_ROUNDS ?? 3);
if (!Number.isInteger(COUNTS.sessions) || COUNTS.sessions < 16 || COUNTS.sessions > 100_000) {
  process.stderr.write(`BENCH_SESSION_OPS must be an integer from 16 to 100000\n`);
  process.exit(1);
}
for (const [name, value] of [
  ['BENCH_ENCLAVE_WORKERS', WORKERS],
  ['BENCH_SESSION_WORKERS', SESSION_WORKERS],
]) {
  if (!Number.isInteger(value) || value < 0 || value > 64) {
    process.stderr.write(`${name} must be an integer from 0 to 64\n`);
    process.exit(1);
  }
}
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || ROUNDS > 9) {
  process.stderr.write(`BENCH_ROUNDS must be an integer from 1 to 9, not ${ROUNDS}\n`);
  process.exit(1);
}
// A run with enclave or session workers is kept beside the default one, not over it.
const RESULTS = join(
  ROOT,
  'bench',
  'results',
  ...(QUICK ? ['quick'] : []),
  ...(WORKERS > 0 ? [`workers-${WORKERS}`] : []),
  ...(SESSION_WORKERS > 0 ? [`session-workers-${SESSION_WORKERS}`] : []),
);

const children = [];
const log = (line) => process.stderr.write(`[bench] ${line}\n`);

/** Forks a bench TypeScript file (through tsx) and returns an IPC caller. */
function forkTs(file, execArgv = [], stderrFile = undefined) {
  const stderr = stderrFile === undefined ? 'inherit' : openSync(stderrFile, 'a', 0o600);
  const child = fork(join(ROOT, 'bench', file), [], {
    execArgv: ['--import', TSX, ...execArgv],
    stdio: ['ignore', 'inherit', stderr, 'ipc'],
  });
  if (typeof stderr === 'number') closeSync(stderr);
  children.push(child);
  let next = 0;
  const pending = new Map();
  child.on('message', (m) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) p?.resolve(m.result);
    else p?.reject(new Error(`${file}: ${m.error}`));
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`${file} exited with ${code}`));
    pending.clear();
  });
  const call = (cmd, args = {}) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      child.send({ id, cmd, args });
    });
  return { child, call };
}

/** Starts the LAS binary and waits for its address line. */
function startLas(stateDir) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      TSX,
      join(ROOT, 'src', 'bin', 'las.ts'),
      '--listen',
      '127.0.0.1:0',
      '--state-dir',
      stateDir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let out = '';
  child.stderr.resume();
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk.toString('utf8');
      const m = /LAS listening on [^\s]+:(\d+)/.exec(out);
      if (m) resolve({ pid: child.pid, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`las exited with ${code}: ${out}`)));
  });
}

function machine() {
  let commit = 'unknown';
  let dirty = false;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT }).toString().trim();
    dirty =
      execFileSync('git', ['status', '--porcelain', '--', 'src', 'bench/*.ts', 'bench/*.mjs'], {
        cwd: ROOT,
      })
        .toString()
        .trim() !== '';
  } catch {
    // not a git checkout: the commit stays unknown
  }
  return {
    cpu_model: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    commit,
    commit_dirty: dirty,
    load_average_1m_at_start: Number(loadavg()[0].toFixed(2)),
    audit_log: process.env.BENCH_AUDIT ?? 'disabled',
  };
}

const MACHINE = machine();
const DATE = new Date().toISOString();

function emit(scenario, figures) {
  const record = {
    scenario,
    date: DATE,
    quick: QUICK,
    machine: MACHINE,
    // The CAS's `[api] enclave_workers` (BENCH_ENCLAVE_WORKERS); CPU figures include the workers.
    cas_enclave_workers: WORKERS,
    // The CAS's `[api] session_workers` (BENCH_SESSION_WORKERS), threads of the CAS process.
    cas_session_workers: SESSION_WORKERS,
    load_average_1m_at_end: Number(loadavg()[0].toFixed(2)),
    ...figures,
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${scenario}.json`), `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(record)}\n`);
  return record;
}

/** CPU seconds (user + system) a process has used so far (Linux /proc; CLK_TCK is 100). */
function cpuSeconds(pid, withChildren = false) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    let total = (Number(fields[11]) + Number(fields[12])) / 100;
    if (withChildren) {
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      for (const child of children === '' ? [] : children.split(' '))
        total += cpuSeconds(child, true);
    }
    return total;
  } catch {
    return NaN;
  }
}

/** Runs `fn` and adds each named process's CPU milliseconds per completed operation. */
async function withCpu(pids, fn) {
  const before = Object.fromEntries(
    Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid, true)]),
  );
  const figures = await fn();
  const ops = figures.ops || NaN;
  const cpu = {};
  for (const [k, pid] of Object.entries(pids)) {
    cpu[`${k}_cpu_ms_per_op`] = Number(
      (((cpuSeconds(pid, true) - before[k]) * 1000) / ops).toFixed(2),
    );
  }
  return { ...figures, ...cpu };
}

const ratio = (a, b) => (b > 0 ? Number((a / b).toFixed(3)) : null);

/** Unmeasured session creates (and as many reads) before the CAS side of the store figures. */
const CAS_STORE_WARM_UP = QUICK ? 200 : 2000;

/** The element of `rounds` whose `by` is the median (the lower middle for an even count). */
function medianRound(rounds, by) {
  const sorted = [...rounds].sort((a, b) => by(a) - by(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** [min, max] of `by` over the rounds. */
function range(rounds, by) {
  const values = rounds.map(by);
  return [Math.min(...values), Math.max(...values)];
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'cas-bench-'));
  const cleanup = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    if (!opts['keep-dir']) rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    await run(dir);
  } finally {
    cleanup();
  }
}

async function run(dir) {
  if (QUICK) {
    mkdirSync(join(ROOT, 'bench', 'results', 'quick'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'quick', '.gitignore'), '*\n');
  }
  // The workload: a tiny executable file; the LAS measures it as cas-run --hash does.
  const program = join(dir, 'workload.sh');
  writeFileSync(program, '#!/bin/sh\nexit 0\n');
  chmodSync(program, 0o755);
  const measurement = createHash('sha256').update(readFileSync(program)).digest('hex');

  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const load = forkTs('load.ts', process.env.BENCH_CPU_PROF_LOAD ? profile : []);
  const loadPid = load.child.pid;
  const { ownerCertPem } = await load.call('init');
  // The CAS logs as `cas` does, to stderr: here into cas.log in the temp dir (--keep-dir).
  mkdirSync(join(dir, 'cas'), { recursive: true });
  const cas = forkTs('cas-process.ts', profile, join(dir, 'cas', 'cas.log'));
  const casInfo = await cas.call('start', {
    dir: join(dir, 'cas'),
    ownerCertPem,
    ...(process.env.BENCH_AUDIT ? { auditMode: process.env.BENCH_AUDIT } : {}),
  });
  const las = await startLas(join(dir, 'las'));
  const limit = forkTs('limit-server.ts');
  const limitInfo = await limit.call('start', { dir: join(dir, 'cas') });
  await load.call('connect', { ...casInfo, lasPort: las.port, program });
  log(`CAS pid ${casInfo.pid}, LAS pid ${las.pid}, limit server pid ${limitInfo.pid}, dir ${dir}`);

  await load.call('createSession', {
    text: ATTEST_SESSION.replaceAll('$NAME', 'bench-attest').replaceAll(
      '$MEASUREMENT',
      measurement,
    ),
  });

  // `--only store`: the CAS side of the Barbican comparison alone, printed but not written to
  // bench/results (for profiling the store path; it has no peer figure to compare with).
  if (opts.only === 'store') {
    const payload = 'x'.repeat(200);
    await casStoreSide(load, casInfo.pid, CAS_STORE_WARM_UP, payload, 'store-warm-up');
    const store = await casStoreSide(load, casInfo.pid, 1000, payload, 'store');
    process.stdout.write(`${JSON.stringify({ scenario: 'store', date: DATE, ...store })}\n`);
    return;
  }
  // `--only peer`: the Barbican comparison alone, with the one attest figure it needs.
  if (opts.only === 'peer') {
    const attest16 = await withCpu({ cas: casInfo.pid, las: las.pid, load: loadPid }, () =>
      load.call('attest', {
        concurrency: 16,
        count: COUNTS.attest[16],
        configIds: ['bench-attest/app'],
      }),
    );
    await runPeer(dir, load, attest16, casInfo.pid);
    return;
  }
  // `--only session` (for profiling the client API) and `--only scale` skip the attest and
  // limit figures.
  const attest = {};
  let attestRecord;
  if (opts.only !== 'session' && opts.only !== 'scale') {
    // Limits of this machine, in the same run; each handshake figure right before the attest
    // figure at the same concurrency, so that both see the same background load.
    log('limits: ECDSA P-256 verify');
    const verify = await load.call('verify', { seconds: COUNTS.verifySeconds });
    log('attest: full provisionings (and the mTLS handshake limit) at concurrency 1, 16, 64');
    const handshakes = {};
    const roundsOf = {};
    for (const c of [1, 16, 64]) {
      const pairs = [];
      for (let round = 0; round < ROUNDS; round++) {
        const limit = await withCpu({ server: limitInfo.pid, load: loadPid }, () =>
          load.call('attest', {
            concurrency: c,
            count: COUNTS.attest[c],
            limitPort: limitInfo.port,
          }),
        );
        const cas = await withCpu({ cas: casInfo.pid, las: las.pid, load: loadPid }, () =>
          load.call('attest', {
            concurrency: c,
            count: COUNTS.attest[c],
            configIds: ['bench-attest/app'],
          }),
        );
        pairs.push({ limit, cas, ratio: ratio(cas.per_second, limit.per_second) });
        log(
          `  c=${c} round ${round + 1}/${ROUNDS}: ${cas.per_second}/s p50 ${cas.p50_ms} ms p99 ${cas.p99_ms} ms errors ${cas.errors}; limit ${limit.per_second}/s`,
        );
      }
      const median = medianRound(pairs, (p) => p.ratio);
      handshakes[c] = median.limit;
      attest[c] = median.cas;
      roundsOf[c] = pairs.map((p) => ({
        per_second: p.cas.per_second,
        p99_ms: p.cas.p99_ms,
        limit_per_second: p.limit.per_second,
        ratio_to_handshake_limit: p.ratio,
      }));
    }
    // Where the CAS's CPU per provisioning goes: the same connect + challenge as the limit, but
    // against the CAS's enclave API (Fastify, connection facts, nonce store), at concurrency 16.
    const challengeOnly = await withCpu({ cas: casInfo.pid }, () =>
      load.call('attest', {
        concurrency: 16,
        count: COUNTS.attest[16],
        limitPort: casInfo.enclavePort,
      }),
    );
    attestRecord = emit('attest', {
      description:
        'full workload provisionings: new TLS 1.3 connection with a fresh client key, challenge, sim evidence from the LAS, verification, policy lookup, rendering of a 10-secret session (X.509 certificate, injection files), response; at each concurrency the limit and the CAS are measured in interleaved rounds and the round with the median ratio is reported (all rounds under `rounds`)',
      session_secrets: 10,
      cpu_breakdown_concurrency_16: {
        limit_server_handshake_and_request_ms: handshakes[16].server_cpu_ms_per_op,
        cas_handshake_and_challenge_ms: challengeOnly.cas_cpu_ms_per_op,
        cas_full_provisioning_ms: attest[16].cas_cpu_ms_per_op,
      },
      rounds_per_figure: ROUNDS,
      runs: [1, 16, 64].map((c) => ({
        ...attest[c],
        ratio_to_handshake_limit: ratio(attest[c].per_second, handshakes[c].per_second),
        ratio_range: range(roundsOf[c], (r) => r.ratio_to_handshake_limit),
        rounds: roundsOf[c],
        cas_ceiling_per_second_2_cores: Math.round(2000 / attest[c].cas_cpu_ms_per_op),
        ratio_of_cpu_ceilings: ratio(
          handshakes[c].server_cpu_ms_per_op,
          attest[c].cas_cpu_ms_per_op,
        ),
      })),
    });
    emit('limits', {
      description:
        'limits of this machine measured in the same run: ECDSA P-256 verify per second on one core (node:crypto); mutual-TLS handshakes + one request per second against a trivial Node.js HTTPS server with the CAS chain and key, same client code and concurrency',
      ecdsa_p256_verify_per_second: verify.per_second,
      mtls_handshakes: [1, 16, 64].map((c) => handshakes[c]),
      ratios: [1, 16, 64].map((c) => ({
        concurrency: c,
        attest_per_handshake: ratio(attest[c].per_second, handshakes[c].per_second),
        attest_per_ecdsa_verify: ratio(attest[c].per_second, verify.per_second),
      })),
    });
  }
  if (opts.only === 'attest') return;

  if (opts.only !== 'scale') {
    log('session: create, update, read at concurrency 16');
    const sessions = {};
    for (const phase of ['create', 'update', 'read']) {
      sessions[phase] = await withCpu({ cas: casInfo.pid, load: loadPid }, () =>
        load.call('sessions', {
          phase,
          concurrency: 16,
          count: COUNTS.sessions,
          template: UPDATE_SESSION.replaceAll('$MEASUREMENT', measurement),
          tag: 'bench-crud',
        }),
      );
    }
    emit('session', {
      description:
        'client API over mutual TLS with keep-alive (CLI client): POST /session (10 secrets generated), PUT /session, GET /v1/sessions/<name>',
      create: sessions.create,
      update: sessions.update,
      read: sessions.read,
    });
    if (opts.only === 'session') return;
  }

  log(`scale: ${SIZES.join(', ')} stored sessions`);
  await load.call('createSession', {
    text: FILLER_SESSION.replaceAll('$NAME', 'fill-0').replaceAll('$MEASUREMENT', measurement),
  });
  const scale = [];
  let stored = 1;
  // The bulk inserts share one time budget; a size that does not fit is recorded as reached.
  const bulkDeadline = Date.now() + BULK_BUDGET_SECONDS * 1000;
  for (const size of SIZES) {
    const budgetSeconds = Math.max(0, (bulkDeadline - Date.now()) / 1000);
    const bulk = await cas.call('bulk', {
      template: 'fill-0',
      from: stored,
      to: size,
      budgetSeconds,
    });
    stored += bulk.inserted;
    const reached = stored >= size;
    log(
      `  ${stored}: bulk insert of ${bulk.inserted} in ${bulk.seconds.toFixed(1)} s${reached ? '' : ` (budget of ${BULK_BUDGET_SECONDS} s reached before ${size})`}`,
    );
    const pick = () =>
      Array.from({ length: 1000 }, () => `fill-${Math.floor(Math.random() * stored)}`);
    const names = pick();
    const reads = [];
    for (let round = 0; round < ROUNDS; round++) {
      reads.push(
        await withCpu({ cas: casInfo.pid }, () =>
          load.call('read', {
            concurrency: 1,
            count: COUNTS.read,
            names: round === 0 ? names : pick(),
          }),
        ),
      );
    }
    const read = {
      ...medianRound(reads, (r) => r.p50_ms),
      rounds: reads.map((r) => ({
        p50_ms: r.p50_ms,
        p99_ms: r.p99_ms,
        cas_cpu_ms_per_op: r.cas_cpu_ms_per_op,
      })),
    };
    const attestAt = await withCpu({ cas: casInfo.pid }, () =>
      load.call('attest', {
        concurrency: 1,
        count: COUNTS.scaleAttest,
        configIds: names.slice(0, COUNTS.scaleAttest).map((n) => `${n}/app`),
      }),
    );
    const stats = await cas.call('stats');
    scale.push({
      stored_sessions: stored,
      ...(reached
        ? {}
        : {
            target_sessions: size,
            stopped: `the bulk insert budget of ${BULK_BUDGET_SECONDS} s ran out`,
          }),
      bulk_insert_seconds: Number(bulk.seconds.toFixed(1)),
      bulk_insert_per_second: Math.round(bulk.inserted / bulk.seconds),
      database_bytes: stats.dbBytes,
      cas_rss_bytes: stats.rssBytes,
      read,
      attest: attestAt,
    });
    if (!reached) break;
  }
  const scaleRecord = emit('scale', {
    description:
      'read (GET /v1/sessions, concurrency 1, random filler sessions; the round with the median p50 of `rounds`, each with its own random names) and full attestation (concurrency 1, random filler sessions) with N sessions stored; filler sessions are bulk-inserted copies of a small session (1 secret, 1 injection file); database size (db + WAL) and CAS resident memory after each size',
    sizes: scale,
  });

  if (opts.peer === 'barbican') {
    try {
      await runPeer(dir, load, attest[16], casInfo.pid);
    } catch (error) {
      const skipped = `Barbican failed during the run: ${error.message}`;
      process.stdout.write(`${JSON.stringify({ scenario: 'peer-barbican', skipped })}\n`);
      log(`peer barbican: skipped: ${skipped}`);
    }
  }

  if (attestRecord === undefined) return;
  const svg = renderPlot(attestRecord, scaleRecord);
  writeFileSync(join(RESULTS, 'bench.svg'), svg);
  log(`plot: ${join(RESULTS, 'bench.svg')}`);
}

/**
 * The CAS side of the Barbican comparison at concurrency 16: session creates with one explicit
 * secret (`tag` names them apart), then `/v1/values` of the first one's `export_public` secret.
 */
async function casStoreSide(load, casPid, count, payload, tag) {
  const casCpu = cpuSeconds(casPid, true);
  const create = await load.call('sessions', {
    phase: 'create',
    concurrency: 16,
    count,
    template: PEER_SESSION.replaceAll('$PAYLOAD', payload),
    tag,
  });
  const values = await load.call('values', {
    concurrency: 16,
    count,
    path: `/v1/values/session=${tag}-0,secret=token`,
  });
  const casMs = (cpuSeconds(casPid, true) - casCpu) * 1000;
  return {
    create,
    values,
    cpu_ms_per_request_store_and_values: Number((casMs / (create.ops + values.ops)).toFixed(2)),
  };
}

async function runPeer(dir, load, attest16, casPid) {
  if (QUICK) {
    log('peer barbican: skipped in --quick');
    return;
  }
  const barbican = await startBarbican(join(dir, 'barbican'), log);
  if (barbican.skip !== undefined) {
    process.stdout.write(
      `${JSON.stringify({ scenario: 'peer-barbican', skipped: barbican.skip })}\n`,
    );
    log(`peer barbican: skipped: ${barbican.skip}`);
    return;
  }
  try {
    const count = 1000;
    const payload = 'x'.repeat(200);
    // Both sides are warmed up to their steady rate first, unmeasured: Barbican's caches and
    // SQLite's need a few hundred requests; Node's optimizing compiler needs a few thousand (a
    // fresh CAS runs its first 1,000 creates at about 60 % of its steady rate).
    log('peer barbican: warm-up of both sides (not measured)');
    await load.call('barbican', { url: barbican.url, concurrency: 16, count: 400, payload });
    await casStoreSide(load, casPid, CAS_STORE_WARM_UP, payload, 'peer-warm-up');
    const rounds = [];
    for (let round = 0; round < ROUNDS; round++) {
      log(`peer barbican round ${round + 1}/${ROUNDS}: POST /v1/secrets and GET payload`);
      const barbicanCpu = cpuSeconds(barbican.pid, true);
      const peer = await load.call('barbican', {
        url: barbican.url,
        concurrency: 16,
        count,
        payload,
      });
      const barbicanMs = (cpuSeconds(barbican.pid, true) - barbicanCpu) * 1000;
      log(`peer barbican round ${round + 1}/${ROUNDS}: the CAS side (create, /v1/values)`);
      const cas = await casStoreSide(load, casPid, count, payload, `peer${round}`);
      rounds.push({
        peer,
        barbicanMs,
        cas,
        store: ratio(cas.create.per_second, peer.store.per_second),
        retrieve: ratio(cas.values.per_second, peer.retrieve.per_second),
      });
    }
    const { peer, barbicanMs, cas } = medianRound(rounds, (r) => r.store);
    emit('peer-barbican', {
      description:
        'OpenStack Barbican (Debian packages, SQLite, simple_crypto, noauth, uWSGI 1 process x 1 thread, plain HTTP) against the CAS (TLS), same load process, concurrency 16; the two sides in interleaved rounds, the round with the median store ratio reported (all rounds under `rounds`)',
      barbican: {
        version: barbican.version,
        store: peer.store,
        retrieve: peer.retrieve,
        cpu_ms_per_request: Number((barbicanMs / (peer.store.ops + peer.retrieve.ops)).toFixed(2)),
      },
      cas: {
        store_session_create_explicit_secret: cas.create,
        retrieve_values: cas.values,
        retrieve_attested_provisioning: attest16,
        cpu_ms_per_request_store_and_values: cas.cpu_ms_per_request_store_and_values,
      },
      ratios_cas_to_barbican: {
        store: ratio(cas.create.per_second, peer.store.per_second),
        retrieve_values: ratio(cas.values.per_second, peer.retrieve.per_second),
        retrieve_attested_provisioning: ratio(attest16.per_second, peer.retrieve.per_second),
      },
      rounds_per_figure: ROUNDS,
      ratio_ranges: {
        store: range(rounds, (r) => r.store),
        retrieve_values: range(rounds, (r) => r.retrieve),
      },
      rounds: rounds.map((r) => ({
        barbican_store_per_second: r.peer.store.per_second,
        barbican_retrieve_per_second: r.peer.retrieve.per_second,
        cas_store_per_second: r.cas.create.per_second,
        cas_values_per_second: r.cas.values.per_second,
        store: r.store,
        retrieve_values: r.retrieve,
      })),
    });
  } finally {
    barbican.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
