import type { KeyObject } from 'node:crypto';
import { GENESIS, hashLine, parseLine, type AuditLine } from './audit-line.js';
import {
  checkSignature,
  compareWithCheckpoint,
  worstOf,
  type AuditVerdict,
  type Entry,
  type Finding,
  type VerdictCode,
} from './verify-audit-log.js';

interface Candidate {
  readonly line: AuditLine;
  /** 1-based over all files in the order given. */
  readonly n: number;
  readonly hash: string;
  cancelled: boolean;
}

/**
 * Verifies the audit files of several replicas that share one chain (PostgreSQL,
 * `sharedChain`): each file's signatures under the audit keys its own start lines certify;
 * `aborted` lines cancel the line of their file whose hash they name; `casKeyHashes` are the
 * CAS keys of the replicas (one with a copied identity, one per registered replica), each
 * file and the checkpoint checked against the one its start line / certificate names; the remaining lines of
 * all files, ordered by seq, must form one chain from the first entry to the CAS's
 * checkpoint. A line the chain does not continue from (a fork, or a line whose transaction
 * never committed) is reported. Line numbers count through the files in the order given.
 * Pure: hostile input becomes findings.
 */
export function verifyAuditLogs(
  texts: readonly string[],
  casKeyHashes: string | readonly string[],
  checkpoint: unknown,
): AuditVerdict {
  const allowed = typeof casKeyHashes === 'string' ? [casKeyHashes] : casKeyHashes;
  const findings: Finding[] = [];
  const add = (code: VerdictCode, message: string, line?: number): void => {
    if (findings.length < 200)
      findings.push({ code, message, ...(line === undefined ? {} : { line }) });
  };
  const bySeq = new Map<number, Candidate[]>();
  let n = 0;
  let signedLines = 0;
  let abortedLines = 0;
  for (const text of texts) {
    const raw = text.split('\n');
    if (raw.at(-1) === '') raw.pop();
    let state: { key: KeyObject | undefined; certified: boolean } = {
      key: undefined,
      certified: false,
    };
    const ofFile = new Map<string, Candidate>();
    const casKeyHash = chooseKey(allowed, raw.map((l) => startKeyOf(parseLine(l))).find(Boolean));
    for (const lineText of raw) {
      n += 1;
      const line = parseLine(lineText);
      if (line === null) {
        add('CAS_AUDIT_LOG_BROKEN', 'not a valid audit line (edited or damaged)', n);
        continue;
      }
      if (line.sig !== undefined) signedLines += 1;
      // Each file is one replica's own: its signatures can be checked only after its start line.
      if (!state.certified && line.event !== 'cas_started' && line.event !== 'audit_log_enabled') {
        add(
          'CAS_AUDIT_LOG_BROKEN',
          'no start line before this one in its file (give each replica file whole; join rotated parts in order)',
          n,
        );
      }
      state = checkSignature(line, n, state, casKeyHash, add);
      if (line.event === 'aborted') {
        abortedLines += 1;
        const target = ofFile.get(line.prev);
        if (target === undefined || target.cancelled || target.line.seq !== line.seq) {
          add(
            'CAS_AUDIT_LOG_BROKEN',
            `aborted line for seq ${line.seq}, which has no open entry`,
            n,
          );
        } else {
          target.cancelled = true;
        }
        continue;
      }
      const candidate = { line, n, hash: hashLine(lineText), cancelled: false };
      ofFile.set(candidate.hash, candidate);
      bySeq.set(line.seq, [...(bySeq.get(line.seq) ?? []), candidate]);
    }
  }
  const chain = followChain(bySeq, add);
  const checked = compareWithCheckpoint(
    checkpoint,
    chooseKey(allowed, certifiedBy(checkpoint)),
    chain,
    add,
  );
  return {
    ...worstOf(findings),
    findings,
    lines: n,
    signedLines,
    abortedLines,
    firstSeq: chain.firstSeq,
    lastSeq: chain.firstSeq === undefined ? undefined : chain.lastSeq,
    checkpoint: checked,
  };
}

/**
 * Walks the seqs in order, taking at each the one uncancelled line that continues the chain;
 * every other uncancelled line of that seq is a fork or an uncommitted entry.
 */
function followChain(
  bySeq: Map<number, Candidate[]>,
  add: (code: VerdictCode, message: string, line?: number) => void,
): { entries: Map<number, Entry>; lastSeq: number; firstSeq: number | undefined } {
  const entries = new Map<number, Entry>();
  const seqs = [...bySeq.keys()].sort((x, y) => x - y);
  let prevHash: string | undefined;
  let lastSeq = 0;
  let firstSeq: number | undefined;
  for (const seq of seqs) {
    const open = (bySeq.get(seq) ?? []).filter((c) => !c.cancelled);
    if (open.length === 0) continue;
    let next: Candidate | undefined;
    if (firstSeq === undefined) {
      firstSeq = seq;
      next = open.find((c) => c.line.prev === GENESIS) ?? open[0];
      if (next !== undefined && next.line.prev !== GENESIS) {
        add(
          'CAS_AUDIT_MISSING_AT_START',
          `the log starts at seq ${seq}, not at the first entry`,
          next.n,
        );
      }
    } else {
      next = open.find((c) => c.line.prev === prevHash);
      if (next === undefined) {
        next = open[0];
        if (next !== undefined) {
          add(
            seq > lastSeq + 1 ? 'CAS_AUDIT_ENTRIES_DELETED' : 'CAS_AUDIT_LOG_BROKEN',
            seq > lastSeq + 1
              ? `entries ${lastSeq + 1}..${seq - 1} are missing before this line`
              : 'this line does not follow the entry before it in seq order (edited or spliced)',
            next.n,
          );
        }
      } else if (seq !== lastSeq + 1) {
        add('CAS_AUDIT_LOG_BROKEN', `seq ${seq} where ${lastSeq + 1} was expected`, next.n);
      }
    }
    if (next === undefined) continue;
    for (const other of open) {
      if (other === next) continue;
      add(
        'CAS_AUDIT_UNCOMMITTED_ENTRY',
        `entry ${seq} (${other.line.event}) is not in the chain: its transaction did not commit, or the log was forked`,
        other.n,
      );
    }
    entries.set(seq, { line: next.n, hash: next.hash, event: next.line.event, aborted: false });
    prevHash = next.hash;
    lastSeq = seq;
  }
  return { entries, lastSeq, firstSeq };
}

/** The CAS key a start line names, if it is one. */
function startKeyOf(line: AuditLine | null): string | undefined {
  if (line === null || (line.event !== 'cas_started' && line.event !== 'audit_log_enabled')) {
    return undefined;
  }
  const hash = line['cas_key_hash'];
  return typeof hash === 'string' ? hash : undefined;
}

/** The CAS key a checkpoint's certificate names (checked later against the certificate). */
function certifiedBy(checkpoint: unknown): string | undefined {
  const cert = (checkpoint as { certificate?: { cas_key_hash?: unknown } } | undefined)
    ?.certificate;
  return typeof cert?.cas_key_hash === 'string' ? cert.cas_key_hash : undefined;
}

/** `claimed` when it is one of the allowed keys; else the first, whose check then reports it. */
function chooseKey(allowed: readonly string[], claimed: string | undefined): string {
  return claimed !== undefined && allowed.includes(claimed) ? claimed : (allowed[0] ?? '');
}
