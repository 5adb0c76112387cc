#!/usr/bin/env node
// Prints the markdown tables of bench/README.md from bench/results/*.json (or the folder given).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), 'results');
const read = (name) => {
  const file = join(dir, `${name}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
};
const n = (x, d = 1) =>
  x === null || x === undefined
    ? '–'
    : Number(x).toLocaleString('en-US', { maximumFractionDigits: d });
const out = (line = '') => process.stdout.write(`${line}\n`);
/** ` (lo–hi)` over the rounds, when there was more than one. */
const spread = (r, d = 2) =>
  Array.isArray(r) && r[0] !== r[1] ? ` (${n(r[0], d)}–${n(r[1], d)})` : '';

const attest = read('attest');
const limits = read('limits');
if (attest !== undefined && limits !== undefined) {
  const m = attest.machine;
  const workers = attest.cas_enclave_workers ?? 0;
  const rounds = attest.rounds_per_figure ?? 1;
  out(
    `Run of ${attest.date} on ${m.cpu_model} (${m.cores} cores), Node ${m.node}, commit ${m.commit.slice(0, 12)}${m.commit_dirty ? ' (with uncommitted changes)' : ''}; 1-minute load average ${m.load_average_1m_at_start} at start; CAS enclave workers: ${workers === 0 ? 'none (in-process)' : workers}; ${rounds === 1 ? 'one round per figure' : `each row the round with the median CAS/limit ratio of ${rounds} interleaved rounds (their range in brackets)`}.`,
  );
  out();
  out(
    '| Concurrency | Provisionings/s | p50 ms | p95 ms | p99 ms | mTLS handshakes/s (limit) | CAS / limit | CPU ms/op: CAS, LAS, load | CPU ms/op: limit server | ratio of CPU ceilings | errors |',
  );
  out('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  attest.runs.forEach((r, i) => {
    const h = limits.mtls_handshakes[i];
    out(
      `| ${r.concurrency} | ${n(r.per_second)} | ${n(r.p50_ms)} | ${n(r.p95_ms)} | ${n(r.p99_ms)} | ${n(h.per_second)} (p50 ${n(h.p50_ms)}, p99 ${n(h.p99_ms)} ms) | ${n(r.ratio_to_handshake_limit, 2)}${spread(r.ratio_range)} | ${n(r.cas_cpu_ms_per_op, 2)}, ${n(r.las_cpu_ms_per_op, 2)}, ${n(r.load_cpu_ms_per_op, 2)} | ${n(h.server_cpu_ms_per_op, 2)} | ${n(r.ratio_of_cpu_ceilings, 2)} | ${r.errors} |`,
    );
  });
  out();
  const b = attest.cpu_breakdown_concurrency_16;
  if (b !== undefined) {
    out(
      `CAS CPU per operation at concurrency 16: limit server handshake + request ${n(b.limit_server_handshake_and_request_ms, 2)} ms; CAS handshake + challenge ${n(b.cas_handshake_and_challenge_ms, 2)} ms; CAS full provisioning ${n(b.cas_full_provisioning_ms, 2)} ms.`,
    );
    out();
  }
  out(
    `ECDSA P-256 verifications: ${n(limits.ecdsa_p256_verify_per_second, 0)}/s on one core; provisionings per verification: ${limits.ratios.map((r) => `${n(r.attest_per_ecdsa_verify, 4)} (c=${r.concurrency})`).join(', ')}.`,
  );
  out();
}
const session = read('session');
if (session !== undefined) {
  out(
    '| Session operation (concurrency 16) | per s | p50 ms | p95 ms | p99 ms | CPU ms/op: CAS, load | errors |',
  );
  out('|---|---:|---:|---:|---:|---:|---:|');
  for (const op of ['create', 'update', 'read']) {
    const r = session[op];
    const cpu =
      r.cas_cpu_ms_per_op === undefined ? '' : `${r.cas_cpu_ms_per_op}, ${r.load_cpu_ms_per_op}`;
    out(
      `| ${op} | ${n(r.per_second)} | ${n(r.p50_ms)} | ${n(r.p95_ms)} | ${n(r.p99_ms)} | ${cpu} | ${r.errors} |`,
    );
  }
  out();
}
const scale = read('scale');
if (scale !== undefined) {
  out(
    '| Stored sessions | bulk insert | DB size | CAS RSS | read p50 / p99 ms (CPU ms/op) [p50 of each round] | attest p50 / p99 ms (CPU ms/op) | errors |',
  );
  out('|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of scale.sizes) {
    out(
      `| ${n(s.stored_sessions, 0)}${s.stopped ? ` (of ${n(s.target_sessions, 0)})` : ''} | ${n(s.bulk_insert_seconds)} s (${n(s.bulk_insert_per_second, 0)}/s) | ${n(s.database_bytes / 2 ** 20, 0)} MiB | ${n(s.cas_rss_bytes / 2 ** 20, 0)} MiB | ${n(s.read.p50_ms)} / ${n(s.read.p99_ms)} (${n(s.read.cas_cpu_ms_per_op, 2)})${s.read.rounds && s.read.rounds.length > 1 ? ` [${s.read.rounds.map((r) => n(r.p50_ms, 2)).join(', ')}]` : ''} | ${n(s.attest.p50_ms)} / ${n(s.attest.p99_ms)} (${n(s.attest.cas_cpu_ms_per_op, 2)}) | ${s.read.errors + s.attest.errors} |`,
    );
  }
  out();
}
const peer = read('peer-barbican');
if (peer !== undefined) {
  out(
    `| Concurrency 16 | CAS per s (p50 ms) | Barbican ${peer.barbican.version} per s (p50 ms) | CAS / Barbican |`,
  );
  out('|---|---:|---:|---:|');
  const row = (label, c, b, ratio, lohi) =>
    out(
      `| ${label} | ${n(c.per_second)} (${n(c.p50_ms)}) | ${n(b.per_second)} (${n(b.p50_ms)}) | ${n(ratio, 2)}${spread(lohi)} |`,
    );
  row(
    'store: session create with an explicit secret / POST secret',
    peer.cas.store_session_create_explicit_secret,
    peer.barbican.store,
    peer.ratios_cas_to_barbican.store,
    peer.ratio_ranges?.store,
  );
  row(
    'retrieve: GET /v1/values / GET payload',
    peer.cas.retrieve_values,
    peer.barbican.retrieve,
    peer.ratios_cas_to_barbican.retrieve_values,
    peer.ratio_ranges?.retrieve_values,
  );
  row(
    'retrieve: full attested provisioning / GET payload',
    peer.cas.retrieve_attested_provisioning,
    peer.barbican.retrieve,
    peer.ratios_cas_to_barbican.retrieve_attested_provisioning,
  );
  if ((peer.rounds_per_figure ?? 1) > 1) {
    out(
      `The round with the median store ratio of ${peer.rounds_per_figure} interleaved rounds; the range of each ratio over the rounds in brackets.`,
    );
  }
  out(
    `CPU per request: Barbican ${n(peer.barbican.cpu_ms_per_request, 2)} ms (store and retrieve), CAS ${n(peer.cas.cpu_ms_per_request_store_and_values, 2)} ms (session create and /v1/values).`,
  );
  out();
}
