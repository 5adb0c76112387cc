import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AuditLog } from '../../../src/audit/audit-log.js';
import { verifyAuditLogs } from '../../../src/audit/verify-audit-logs.js';
import { createMemoryStoreProvider } from '../../../src/core/store-provider.js';
import { CasError } from '../../../src/errors/cas-error.js';
import type { Store } from '../../../src/store/store.js';
import { simulationCasKeys } from '../../helpers/simulation-cas-keys.js';

// Two replicas on one database (copied identity: one CAS key), each writing its own file; the
// lines take seq and prev from the database checkpoint, so both files form one chain.

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const keys = await simulationCasKeys('ab'.repeat(32));
/** A registered replica's own CAS key. */
const otherKeys = await simulationCasKeys('ab'.repeat(32));

interface Replica {
  readonly log: AuditLog;
  readonly store: Store;
  readonly path: string;
}

async function twoReplicas(keysOfB = keys): Promise<[Replica, Replica]> {
  const provider = createMemoryStoreProvider();
  const make = async (first: boolean): Promise<Replica> => {
    const path = join(mkdtempSync(join(tmpdir(), 'audit-shared-')), 'cas-audit.log');
    const log = new AuditLog({
      path,
      keys: () => (first ? keys : keysOfB),
      now: () => new Date('2026-11-22T12:00:00Z'),
      randomBytes,
      logger: silent,
      version: '0.1.0',
      sharedChain: true,
    });
    const wrapped = log.wrapProvider(provider);
    const store = first ? await wrapped.create() : await wrapped.open();
    await log.open(store, { audit_log: { mode: 'signed', sink: 'file' } });
    return { log, store, path };
  };
  const a = await make(true);
  return [a, await make(false)];
}

async function interleaved(a: Replica, b: Replica): Promise<void> {
  await a.store.transaction((tx) =>
    a.log.record({ event: 'session_created', session: 's', hash: 'h1', caller: 'K' }, tx),
  );
  await assert.rejects(
    b.store.transaction(async (tx) => {
      await b.log.record({ event: 'session_updated', session: 's', hash: 'h2', caller: 'K' }, tx);
      throw new CasError('CAS_SESSION_STALE_PREDECESSOR', 'stale');
    }),
  );
  await b.store.transaction((tx) =>
    b.log.record({ event: 'session_updated', session: 's', hash: 'h3', caller: 'K' }, tx),
  );
  await a.log.record({ event: 'session_read', session: 's', hash: 'h3', caller: 'K' });
  await b.log.record({ event: 'service_attested', session: 's', service: 'x' });
}

const text = (r: Replica) => readFileSync(r.path, 'utf8');
const parsed = (r: Replica) =>
  text(r)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('one audit chain for replicas sharing a database', () => {
  test('the files of both replicas verify together (exit 0) and are ordered by seq', async () => {
    const [a, b] = await twoReplicas();
    await interleaved(a, b);
    assert.deepEqual(
      parsed(a).map((l) => [l['seq'], l['event']]),
      [
        [1, 'cas_started'],
        [3, 'session_created'],
        [5, 'session_read'],
      ],
    );
    assert.deepEqual(
      parsed(b).map((l) => [l['seq'], l['event']]),
      [
        [2, 'cas_started'],
        [4, 'session_updated'],
        [4, 'aborted'],
        [4, 'session_updated'],
        [6, 'service_attested'],
      ],
    );
    assert.equal(parsed(a)[0]?.['chain'], 'shared');
    const checkpoint = await b.log.checkpoint();
    assert.equal(checkpoint?.seq, 6, 'one checkpoint for the deployment');
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      const verdict = verifyAuditLogs(order.map(text), keys.casKeyHash, checkpoint);
      assert.deepEqual(verdict.findings, []);
      assert.equal(verdict.exitCode, 0);
      assert.equal(verdict.lastSeq, 6);
      assert.equal(verdict.abortedLines, 1);
    }
  });

  test('one replica file alone, a deleted line, an edit, a lost abort: never exit 0', async () => {
    const [a, b] = await twoReplicas();
    await interleaved(a, b);
    const checkpoint = await a.log.checkpoint();
    const ls = (r: Replica) =>
      text(r)
        .split('\n')
        .filter((l) => l !== '');
    const cases: Array<[string, string[], string]> = [
      ['only A', [text(a)], 'CAS_AUDIT_ENTRIES_DELETED'],
      ['only B', [text(b)], 'CAS_AUDIT_MISSING_AT_START'],
      [
        "B's committed update deleted",
        [
          text(a),
          ls(b)
            .filter((_, i) => i !== 3)
            .join('\n'),
        ],
        'CAS_AUDIT_ENTRIES_DELETED',
      ],
      [
        'an edited line',
        [text(a).replace('"hash":"h1"', '"hash":"hX"'), text(b)],
        'CAS_AUDIT_LOG_BROKEN',
      ],
      [
        "B's aborted line removed: the failed update is a fork",
        [
          text(a),
          ls(b)
            .filter((_, i) => i !== 2)
            .join('\n'),
        ],
        'CAS_AUDIT_UNCOMMITTED_ENTRY',
      ],
    ];
    for (const [what, texts, code] of cases) {
      const verdict = verifyAuditLogs(texts, keys.casKeyHash, checkpoint);
      assert.notEqual(verdict.exitCode, 0, what);
      assert.ok(
        verdict.findings.some((f) => f.code === code),
        `${what}: ${JSON.stringify(verdict.findings)}`,
      );
    }
    // Without the CAS's checkpoint, rollback cannot be ruled out.
    const stale = verifyAuditLogs([text(a), text(b)], keys.casKeyHash, undefined);
    assert.equal(stale.code, 'CAS_AUDIT_ROLLBACK_UNCHECKED');
  });

  test('any deletion, duplication, byte change or move of a line to the other file is reported', async () => {
    const [a, b] = await twoReplicas();
    await interleaved(a, b);
    for (let i = 0; i < 4; i += 1) {
      const r = i % 2 === 0 ? a : b;
      await r.log.record({ event: 'session_read', session: `s${i}` });
    }
    const checkpoint = await a.log.checkpoint();
    const split = (r: Replica) =>
      text(r)
        .split('\n')
        .filter((l) => l !== '');
    const files = [split(a), split(b)];
    const check = (fs: readonly string[][]): number =>
      verifyAuditLogs(
        fs.map((ls) => ls.map((l) => `${l}\n`).join('')),
        keys.casKeyHash,
        checkpoint,
      ).exitCode;
    assert.equal(check(files), 0);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.constantFrom('delete', 'duplicate', 'flip', 'move'),
        fc.integer({ min: 0, max: 10_000 }),
        (f, index, how, at) => {
          const fs = files.map((ls) => [...ls]);
          const ls = fs[f]!;
          const i = index % ls.length;
          const line = ls[i]!;
          if (how === 'delete') ls.splice(i, 1);
          else if (how === 'duplicate') ls.splice(i, 0, line);
          else if (how === 'move') {
            ls.splice(i, 1);
            fs[1 - f]!.push(line);
          } else {
            const k = at % line.length;
            ls[i] = line.slice(0, k) + (line[k] === 'a' ? 'b' : 'a') + line.slice(k + 1);
          }
          assert.notEqual(check(fs), 0, `${how} of line ${i + 1} of file ${f} went unnoticed`);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('registered replicas (own CAS keys): verified with every replica key, not with one', async () => {
    const [a, b] = await twoReplicas(otherKeys);
    await interleaved(a, b);
    const texts = [text(a), text(b)];
    for (const checkpoint of [await a.log.checkpoint(), await b.log.checkpoint()]) {
      const both = verifyAuditLogs(texts, [keys.casKeyHash, otherKeys.casKeyHash], checkpoint);
      assert.deepEqual(both.findings, []);
      assert.equal(both.exitCode, 0);
    }
    const onlyA = verifyAuditLogs(texts, keys.casKeyHash, await a.log.checkpoint());
    assert.equal(onlyA.code, 'CAS_AUDIT_OTHER_CAS');
    const onlyB = verifyAuditLogs(texts, otherKeys.casKeyHash, await b.log.checkpoint());
    assert.equal(onlyB.code, 'CAS_AUDIT_OTHER_CAS');
  });
});
