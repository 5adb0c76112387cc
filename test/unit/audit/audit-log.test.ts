import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AuditLog } from '../../../src/audit/audit-log.js';
import { verifyAuditLog, VERDICTS } from '../../../src/audit/verify-audit-log.js';
import { createMemoryStoreProvider } from '../../../src/core/store-provider.js';
import { CasError, isCasError } from '../../../src/errors/cas-error.js';
import type { Store } from '../../../src/store/store.js';
import { simulationCasKeys } from '../../helpers/simulation-cas-keys.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

const keysA = await simulationCasKeys('ab'.repeat(32));
const keysB = await simulationCasKeys('ab'.repeat(32));

interface Fixture {
  readonly log: AuditLog;
  readonly store: Store;
  readonly path: string;
  readonly provider: ReturnType<typeof createMemoryStoreProvider>;
}

async function fixture(
  mode: 'signed' | 'unsigned' | 'disabled' = 'signed',
  keys = keysA,
  reuse?: { path: string; provider: ReturnType<typeof createMemoryStoreProvider> },
): Promise<Fixture> {
  const path = reuse?.path ?? join(mkdtempSync(join(tmpdir(), 'audit-log-')), 'cas-audit.log');
  const log = new AuditLog({
    path,
    keys: () => keys,
    now: () => new Date('2026-11-22T12:00:00Z'),
    randomBytes,
    logger: silent,
    version: '0.1.0',
  });
  const provider = reuse?.provider ?? createMemoryStoreProvider();
  const wrapped = log.wrapProvider(provider);
  const store = reuse === undefined ? await wrapped.create() : await wrapped.open();
  await log.open(store, { audit_log: { mode: mode as 'signed', sink: 'file' } });
  return { log, store, path, provider };
}

/** Some committed operations, one failed transaction, a read and an access denial. */
async function someEvents(f: Fixture): Promise<void> {
  await f.store.transaction(async (tx) => {
    await tx.put('session/a', new Uint8Array([1]));
    await f.log.record({ event: 'session_created', session: 'a', hash: 'h1', caller: 'K' }, tx);
  });
  await assert.rejects(
    f.store.transaction(async (tx) => {
      await f.log.record({ event: 'session_updated', session: 'a', hash: 'h2', caller: 'K' }, tx);
      throw new CasError('CAS_SESSION_STALE_PREDECESSOR', 'stale');
    }),
  );
  await f.log.record({
    event: 'session_read',
    session: 'a',
    hash: 'h1',
    caller: 'K',
    address: '10.0.0.1',
    subject: 'CN=alice',
  });
  await f.log.record({
    event: 'service_attested',
    session: 'a',
    service: 's',
    measurement: 'ff'.repeat(32),
  });
}

const lines = (path: string): string[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
const write = (path: string, ls: readonly string[]): void =>
  writeFileSync(path, ls.map((l) => `${l}\n`).join(''));
const verify = async (f: Fixture, keyHash = keysA.casKeyHash) =>
  verifyAuditLog(readFileSync(f.path, 'utf8'), keyHash, await f.log.checkpoint());

describe('audit log', () => {
  test('a signed log of real operations verifies (exit 0), with one aborted line', async () => {
    const f = await fixture();
    await someEvents(f);
    const ls = lines(f.path).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      ls.map((l) => [l['seq'], l['event']]),
      [
        [1, 'cas_started'],
        [2, 'session_created'],
        [3, 'session_updated'],
        [3, 'aborted'],
        [4, 'session_read'],
        [5, 'service_attested'],
      ],
    );
    assert.ok(ls.every((l) => typeof l['sig'] === 'string'));
    assert.equal(ls[3]?.['reason'], 'CAS_SESSION_STALE_PREDECESSOR');
    const verdict = await verify(f);
    assert.deepEqual(verdict.findings, []);
    assert.equal(verdict.exitCode, 0);
    assert.equal(verdict.checkpoint?.seq, 5);
  });

  test('addresses and subject names are HMACed, never written in clear', async () => {
    const f = await fixture();
    await someEvents(f);
    const text = readFileSync(f.path, 'utf8');
    assert.ok(!text.includes('10.0.0.1'));
    assert.ok(!text.includes('alice'));
    const read = lines(f.path)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['event'] === 'session_read');
    assert.match(String(read?.['address_hmac']), /^[0-9a-f]{64}$/);
    assert.match(String(read?.['subject_hmac']), /^[0-9a-f]{64}$/);
  });

  const tamperings: Array<[string, (ls: string[]) => string[], keyof typeof VERDICTS]> = [
    [
      'a line edited',
      (ls) => ls.map((l, i) => (i === 1 ? l.replace('"session":"a"', '"session":"b"') : l)),
      'CAS_AUDIT_LOG_BROKEN',
    ],
    ['two lines swapped', (ls) => [ls[0]!, ls[2]!, ls[1]!, ...ls.slice(3)], 'CAS_AUDIT_LOG_BROKEN'],
    [
      'a line in the middle removed',
      (ls) => ls.filter((_, i) => i !== 4),
      'CAS_AUDIT_ENTRIES_DELETED',
    ],
    ['the last line removed', (ls) => ls.slice(0, -1), 'CAS_AUDIT_MISSING_AT_END'],
    ['the first line removed', (ls) => ls.slice(1), 'CAS_AUDIT_MISSING_AT_START'],
    [
      'a line that is not JSON',
      (ls) => [...ls.slice(0, 2), 'garbage', ...ls.slice(2)],
      'CAS_AUDIT_LOG_BROKEN',
    ],
    [
      'a signature stripped',
      (ls) => ls.map((l, i) => (i === 2 ? l.replace(/,"sig":"[^"]*"/, '') : l)),
      'CAS_AUDIT_LOG_BROKEN',
    ],
  ];
  for (const [what, tamper, code] of tamperings) {
    test(`${what}: ${code} (exit ${VERDICTS[code]})`, async () => {
      const f = await fixture();
      await someEvents(f);
      write(f.path, tamper(lines(f.path)));
      const verdict = await verify(f);
      assert.equal(verdict.code, code, JSON.stringify(verdict.findings));
      assert.equal(verdict.exitCode, VERDICTS[code]);
    });
  }

  test('a log of another CAS: CAS_AUDIT_OTHER_CAS (exit 19)', async () => {
    const f = await fixture('signed', keysB);
    await someEvents(f);
    const verdict = verifyAuditLog(readFileSync(f.path, 'utf8'), keysA.casKeyHash, undefined);
    assert.equal(verdict.code, 'CAS_AUDIT_OTHER_CAS');
    assert.equal(verdict.exitCode, 19);
  });

  test('an intact log without the CAS: CAS_AUDIT_ROLLBACK_UNCHECKED (exit 16)', async () => {
    const f = await fixture();
    await someEvents(f);
    const verdict = verifyAuditLog(readFileSync(f.path, 'utf8'), keysA.casKeyHash, undefined);
    assert.equal(verdict.code, 'CAS_AUDIT_ROLLBACK_UNCHECKED');
    assert.equal(verdict.exitCode, 16);
  });

  test('a database rolled back behind the log: CAS_AUDIT_ROLLBACK (exit 18)', async () => {
    const f = await fixture();
    await someEvents(f);
    const old = await f.log.checkpoint();
    await f.log.record({ event: 'session_read', session: 'a', caller: 'K' });
    await f.log.record({ event: 'session_read', session: 'a', caller: 'K' });
    const verdict = verifyAuditLog(readFileSync(f.path, 'utf8'), keysA.casKeyHash, old);
    assert.equal(verdict.code, 'CAS_AUDIT_ROLLBACK');
    assert.equal(verdict.exitCode, 18);
  });

  test('one entry after the checkpoint: CAS_AUDIT_UNCOMMITTED_ENTRY (exit 10); a restart closes it with an aborted line', async () => {
    const f = await fixture();
    await someEvents(f);
    const old = await f.log.checkpoint();
    await f.log.record({ event: 'session_read', session: 'a', caller: 'K' });
    const verdict = verifyAuditLog(readFileSync(f.path, 'utf8'), keysA.casKeyHash, old);
    assert.equal(verdict.code, 'CAS_AUDIT_UNCOMMITTED_ENTRY');
    assert.equal(verdict.exitCode, 10);
  });

  test('a restart after a crash between write and commit appends cas_started then aborted, and verifies', async () => {
    const f = await fixture();
    await someEvents(f);
    // The crash: the line is written inside a transaction this log does not follow (as if the
    // process died before the commit and before it could write the aborted line).
    const raw = await f.provider.open();
    const before = lines(f.path).length;
    await assert.rejects(
      raw.transaction(async (tx) => {
        await f.log.record({ event: 'session_created', session: 'x', caller: 'K' }, tx);
        throw new Error('power cut');
      }),
    );
    assert.equal(lines(f.path).length, before + 1);
    assert.equal(
      verifyAuditLog(readFileSync(f.path, 'utf8'), keysA.casKeyHash, await f.log.checkpoint())
        .exitCode,
      10,
    );
    const restarted = await fixture('signed', keysA, { path: f.path, provider: f.provider });
    await restarted.log.record({ event: 'session_read', session: 'a', caller: 'K' });
    const events = lines(f.path).map((l) => JSON.parse(l) as { seq: number; event: string });
    assert.deepEqual(
      events.slice(-3).map((e) => [e.seq, e.event]),
      [
        [7, 'cas_started'],
        [6, 'aborted'],
        [8, 'session_read'],
      ],
    );
    assert.equal(
      (JSON.parse(lines(f.path).at(-2) ?? '{}') as { reason?: string }).reason,
      'CAS_AUDIT_NOT_COMMITTED',
    );
    const verdict = await verify(restarted);
    assert.deepEqual(verdict.findings, []);
  });

  test('a restart after a stop that lost a group-committed batch aborts every event of it, and verifies', async () => {
    const f = await fixture();
    await someEvents(f);
    // The SQLite store commits several transactions at once: a stop before that commit leaves
    // each of their lines after the checkpoint. Here two, in one transaction this log does not
    // follow.
    const raw = await f.provider.open();
    await assert.rejects(
      raw.transaction(async (tx) => {
        await f.log.record({ event: 'session_created', session: 'x', caller: 'K' }, tx);
        await f.log.record({ event: 'session_created', session: 'y', caller: 'K' }, tx);
        throw new Error('power cut');
      }),
    );
    const restarted = await fixture('signed', keysA, { path: f.path, provider: f.provider });
    const events = lines(f.path).map(
      (l) => JSON.parse(l) as { seq: number; event: string; reason?: string },
    );
    assert.deepEqual(
      events.slice(-5).map((e) => [e.seq, e.event]),
      [
        [6, 'session_created'],
        [7, 'session_created'],
        [8, 'cas_started'],
        [6, 'aborted'],
        [7, 'aborted'],
      ],
    );
    assert.ok(events.slice(-2).every((e) => e.reason === 'CAS_AUDIT_NOT_COMMITTED'));
    const verdict = await verify(restarted);
    assert.deepEqual(verdict.findings, []);
  });

  test('unsigned mode chains lines without signatures and still detects edits', async () => {
    const f = await fixture('unsigned');
    await someEvents(f);
    assert.ok(lines(f.path).every((l) => !l.includes('"sig"')));
    assert.equal((await verify(f)).exitCode, 0);
    write(
      f.path,
      lines(f.path).map((l, i) => (i === 1 ? l.replace('"hash":"h1"', '"hash":"h9"') : l)),
    );
    assert.equal((await verify(f)).exitCode, 20);
  });

  test('disabled mode writes nothing; enabling and disabling are logged', async () => {
    const f = await fixture('disabled');
    await someEvents(f);
    assert.throws(() => readFileSync(f.path), /ENOENT/);
    await f.log.open(f.store, { audit_log: { mode: 'signed', sink: 'file' } });
    await f.log.record({ event: 'config_updated', caller: 'K' });
    await f.log.open(f.store, { audit_log: { mode: 'unsigned', sink: 'file' } });
    await f.log.record({ event: 'session_read', session: 'a', caller: 'K' });
    await f.log.open(f.store, {});
    await f.log.open(f.store, { audit_log: { mode: 'unsigned', sink: 'file' } });
    await f.log.record({ event: 'session_read', session: 'b', caller: 'K' });
    assert.deepEqual(
      lines(f.path).map((l) => (JSON.parse(l) as { event: string }).event),
      [
        'cas_started',
        'config_updated',
        'audit_log_enabled',
        'session_read',
        'audit_log_disabled',
        'audit_log_enabled',
        'session_read',
      ],
    );
    assert.equal((await verify(f)).exitCode, 0);
  });

  test('signed, then disabled, then unsigned: each segment verifies', async () => {
    const f = await fixture('signed');
    await someEvents(f);
    await f.log.open(f.store, {});
    await f.log.open(f.store, { audit_log: { mode: 'unsigned', sink: 'file' } });
    await f.log.record({ event: 'session_read', session: 'a', caller: 'K' });
    const verdict = await verify(f);
    assert.deepEqual(verdict.findings, []);
  });

  test('an event that cannot be written fails the operation with CAS_AUDIT_WRITE_FAILED and commits nothing', async () => {
    const f = await fixture();
    writeFileSync(f.path, ''); // make the path a directory's sibling that cannot be opened
    const bad = new AuditLog({
      path: join(f.path, 'not-a-dir', 'x.log'),
      keys: () => keysA,
      now: () => new Date(),
      randomBytes,
      logger: silent,
      version: '0.1.0',
    });
    const store = bad.wrapStore(f.store);
    await assert.rejects(
      bad.open(store, { audit_log: { mode: 'signed', sink: 'file' } }),
      (e: unknown) => isCasError(e) && e.code === 'CAS_AUDIT_WRITE_FAILED',
    );
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.put('session/z', new Uint8Array([1]));
        await bad.record({ event: 'session_created', session: 'z' }, tx);
      }),
      (e: unknown) => isCasError(e) && e.code === 'CAS_AUDIT_WRITE_FAILED',
    );
    assert.equal(await f.store.transaction((tx) => tx.get('session/z')), undefined);
  });
});

describe('audit log verification properties', () => {
  test('any single deletion, swap, duplication or byte change of a signed log is reported', async () => {
    const f = await fixture();
    await someEvents(f);
    for (let i = 0; i < 6; i += 1) await f.log.record({ event: 'session_read', session: `s${i}` });
    const checkpoint = await f.log.checkpoint();
    const original = lines(f.path);
    const check = (ls: readonly string[]): number =>
      verifyAuditLog(ls.map((l) => `${l}\n`).join(''), keysA.casKeyHash, checkpoint).exitCode;
    assert.equal(check(original), 0);
    const n = original.length;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: n - 1 }),
        fc.constantFrom('delete', 'swap', 'duplicate', 'flip'),
        fc.integer({ min: 0, max: 10_000 }),
        (i, how, at) => {
          const ls = [...original];
          if (how === 'delete') ls.splice(i, 1);
          else if (how === 'duplicate') ls.splice(i, 0, ls[i]!);
          else if (how === 'swap') {
            const j = i === n - 1 ? i - 1 : i + 1;
            [ls[i], ls[j]] = [ls[j]!, ls[i]!];
          } else {
            const line = ls[i]!;
            const k = at % line.length;
            const c = line[k] === 'a' ? 'b' : 'a';
            ls[i] = line.slice(0, k) + c + line.slice(k + 1);
          }
          assert.notEqual(check(ls), 0, `${how} at line ${i + 1} went unnoticed`);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('two logs of the same CAS spliced together are reported', async () => {
    const a = await fixture();
    await someEvents(a);
    const b = await fixture();
    await someEvents(b);
    const spliced = [...lines(a.path).slice(0, 3), ...lines(b.path).slice(3)];
    const verdict = verifyAuditLog(
      spliced.map((l) => `${l}\n`).join(''),
      keysA.casKeyHash,
      await b.log.checkpoint(),
    );
    assert.equal(verdict.code, 'CAS_AUDIT_LOG_BROKEN');
  });
});
