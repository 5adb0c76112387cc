import type { KeyObject } from 'node:crypto';
import { openAuditCertificate } from './audit-key.js';
import { GENESIS, hashLine, lineSignatureValid, parseLine, type AuditLine } from './audit-line.js';
import { verifyCheckpoint } from './checkpoint.js';

/** The exit codes of `scone cas verify-audit-log` (`interfaces.md` §8), with their codes. */
export const VERDICTS = {
  CAS_AUDIT_LOG_BROKEN: 20,
  CAS_AUDIT_OTHER_CAS: 19,
  CAS_AUDIT_ROLLBACK: 18,
  CAS_AUDIT_ENTRIES_DELETED: 17,
  CAS_AUDIT_ROLLBACK_UNCHECKED: 16,
  CAS_AUDIT_MISSING_AT_START: 15,
  CAS_AUDIT_MISSING_AT_END: 14,
  CAS_AUDIT_UNCOMMITTED_ENTRY: 10,
} as const;

/** The worst finding's exit code and code (0 and undefined when there is none). */
export function worstOf(findings: readonly Finding[]): {
  exitCode: number;
  code: VerdictCode | undefined;
} {
  const worst = findings.reduce<Finding | undefined>(
    (w, f) => (w === undefined || VERDICTS[f.code] > VERDICTS[w.code] ? f : w),
    undefined,
  );
  return { exitCode: worst === undefined ? 0 : VERDICTS[worst.code], code: worst?.code };
}

/** One verdict code. */
export type VerdictCode = keyof typeof VERDICTS;

/** One thing found wrong, with the line (1-based) where it was found. */
export interface Finding {
  readonly code: VerdictCode;
  readonly message: string;
  readonly line?: number;
}

/** What {@link verifyAuditLog} checked and found; `exitCode` is the worst finding's, or 0. */
export interface AuditVerdict {
  readonly exitCode: number;
  readonly code: VerdictCode | undefined;
  readonly findings: readonly Finding[];
  readonly lines: number;
  readonly signedLines: number;
  readonly abortedLines: number;
  readonly firstSeq: number | undefined;
  readonly lastSeq: number | undefined;
  /** The CAS's checkpoint as checked, or undefined when it could not be fetched. */
  readonly checkpoint: { readonly seq: number; readonly hash: string } | undefined;
}

export interface Entry {
  readonly line: number;
  readonly hash: string;
  readonly event: string;
  aborted: boolean;
}

const STARTS = new Set(['cas_started', 'audit_log_enabled']);

/**
 * Verifies an audit log against the CAS key hash it must come from and, when the CAS could
 * be asked, its signed checkpoint (`undefined`: unreachable, so rollback cannot be ruled out).
 * Pure: every problem becomes a finding; nothing is thrown for hostile input.
 */
export function verifyAuditLog(
  text: string,
  casKeyHash: string,
  checkpoint: unknown,
): AuditVerdict {
  const findings: Finding[] = [];
  const add = (code: VerdictCode, message: string, line?: number): void => {
    if (findings.length < 200)
      findings.push({ code, message, ...(line === undefined ? {} : { line }) });
  };
  const raw = text.split('\n');
  if (raw.at(-1) === '') raw.pop();
  const entries = new Map<number, Entry>();
  let prevHash: string | undefined;
  let lastSeq = 0;
  let firstSeq: number | undefined;
  let key: KeyObject | undefined;
  let certified = false;
  let signedLines = 0;
  let abortedLines = 0;
  raw.forEach((text, i) => {
    const n = i + 1;
    const hash = hashLine(text);
    const line = parseLine(text);
    if (line === null) {
      add('CAS_AUDIT_LOG_BROKEN', 'not a valid audit line (edited or damaged)', n);
      prevHash = hash;
      return;
    }
    if (line.sig !== undefined) signedLines += 1;
    if (prevHash === undefined) {
      firstSeq = line.seq;
      if (line.prev !== GENESIS) {
        add(
          'CAS_AUDIT_MISSING_AT_START',
          `the log starts at seq ${line.seq}, not at the first entry`,
          n,
        );
      }
      lastSeq = line.seq - (line.event === 'aborted' ? 0 : 1);
    } else if (line.prev !== prevHash) {
      if (line.event !== 'aborted' && line.seq > lastSeq + 1) {
        add(
          'CAS_AUDIT_ENTRIES_DELETED',
          `entries ${lastSeq + 1}..${line.seq - 1} are missing before this line`,
          n,
        );
      } else {
        add(
          'CAS_AUDIT_LOG_BROKEN',
          'this line does not follow the one before it (edited, reordered or spliced)',
          n,
        );
      }
    } else if (line.event !== 'aborted' && line.seq !== lastSeq + 1) {
      add('CAS_AUDIT_LOG_BROKEN', `seq ${line.seq} where ${lastSeq + 1} was expected`, n);
    }
    prevHash = hash;
    ({ key, certified } = checkSignature(line, n, { key, certified }, casKeyHash, add));
    if (line.event === 'aborted') {
      abortedLines += 1;
      const target = entries.get(line.seq);
      if (target !== undefined && !target.aborted) target.aborted = true;
      else if (line.seq >= (firstSeq ?? 0))
        add('CAS_AUDIT_LOG_BROKEN', `aborted line for seq ${line.seq}, which has no open entry`, n);
      return;
    }
    lastSeq = Math.max(lastSeq, line.seq);
    entries.set(line.seq, { line: n, hash, event: line.event, aborted: false });
  });
  const checked = compareWithCheckpoint(
    checkpoint,
    casKeyHash,
    { entries, lastSeq, firstSeq },
    add,
  );
  return {
    ...worstOf(findings),
    findings,
    lines: raw.length,
    signedLines,
    abortedLines,
    firstSeq,
    lastSeq: firstSeq === undefined ? undefined : lastSeq,
    checkpoint: checked,
  };
}

/**
 * Follows the audit key: a start line with a certificate introduces a key (checked against
 * the CAS key); a switch to `unsigned` must be signed by the key it retires; while a key is
 * in force, every line must carry its valid signature.
 */
export function checkSignature(
  line: AuditLine,
  n: number,
  state: { key: KeyObject | undefined; certified: boolean },
  casKeyHash: string,
  add: (code: VerdictCode, message: string, line?: number) => void,
): { key: KeyObject | undefined; certified: boolean } {
  let { key, certified } = state;
  const retiring = key;
  if (STARTS.has(line.event)) {
    if (line['cas_key_hash'] !== casKeyHash) {
      add(
        'CAS_AUDIT_OTHER_CAS',
        `written by CAS ${String(line['cas_key_hash'])}, not ${casKeyHash}`,
        n,
      );
    }
    if (line['certificate'] !== undefined) {
      const opened = openAuditCertificate(line['certificate'], casKeyHash);
      if ('key' in opened) {
        key = opened.key;
        certified = true;
      } else if (opened.problem === 'other_cas') {
        add(
          'CAS_AUDIT_OTHER_CAS',
          `its audit key is certified by CAS ${opened.casKeyHash ?? '?'}`,
          n,
        );
        key = opened.otherKey;
        certified = true;
      } else {
        add('CAS_AUDIT_LOG_BROKEN', 'its audit key certificate does not verify', n);
        return { key: undefined, certified: true };
      }
    } else {
      key = undefined;
      certified = true;
      // A running CAS switching to unsigned says so under the key it retires.
      if (line.event === 'audit_log_enabled' && retiring !== undefined) {
        if (!lineSignatureValid(line, retiring)) {
          add(
            'CAS_AUDIT_LOG_BROKEN',
            'the switch to unsigned mode is not signed by the audit key',
            n,
          );
        }
        return { key, certified };
      }
      if (line.event === 'cas_started') return { key, certified };
    }
  }
  if (key !== undefined) {
    if (!lineSignatureValid(line, key))
      add('CAS_AUDIT_LOG_BROKEN', 'signature missing or invalid', n);
  } else if (line.sig !== undefined && certified) {
    add('CAS_AUDIT_LOG_BROKEN', 'signed, but no certified audit key is in force', n);
  }
  // Disabling ends the key's segment; re-enabling starts a new one with its own start line.
  return { key: line.event === 'audit_log_disabled' ? undefined : key, certified };
}

export function compareWithCheckpoint(
  checkpoint: unknown,
  casKeyHash: string,
  log: { entries: Map<number, Entry>; lastSeq: number; firstSeq: number | undefined },
  add: (code: VerdictCode, message: string, line?: number) => void,
): { seq: number; hash: string } | undefined {
  if (checkpoint === undefined) {
    add(
      'CAS_AUDIT_ROLLBACK_UNCHECKED',
      'the CAS could not be asked for its checkpoint: rollback of the log cannot be ruled out',
    );
    return undefined;
  }
  const cp = verifyCheckpoint(checkpoint, casKeyHash);
  if (!cp.ok) {
    add(cp.problem === 'other_cas' ? 'CAS_AUDIT_OTHER_CAS' : 'CAS_AUDIT_LOG_BROKEN', cp.detail);
    return undefined;
  }
  const { entries, lastSeq, firstSeq } = log;
  if (firstSeq === undefined || cp.seq > lastSeq) {
    add(
      'CAS_AUDIT_MISSING_AT_END',
      `the log ends at seq ${lastSeq}, but the CAS committed up to seq ${cp.seq}`,
    );
    return cp;
  }
  if (cp.seq < firstSeq) {
    add(
      'CAS_AUDIT_MISSING_AT_START',
      `the log starts at seq ${firstSeq}, after the CAS's checkpoint (seq ${cp.seq})`,
    );
    return cp;
  }
  const at = entries.get(cp.seq);
  if (at === undefined) {
    add(
      'CAS_AUDIT_ENTRIES_DELETED',
      `the entry of the CAS's checkpoint (seq ${cp.seq}) is missing`,
    );
  } else if (at.hash !== cp.hash || at.aborted) {
    add(
      'CAS_AUDIT_ROLLBACK',
      `the entry at seq ${cp.seq} is not the one the CAS committed (rolled back or forked)`,
      at.line,
    );
  }
  const beyond = [...entries.entries()].filter(([seq, e]) => seq > cp.seq && !e.aborted);
  const [single] = beyond;
  if (beyond.length === 1 && single !== undefined) {
    add(
      'CAS_AUDIT_UNCOMMITTED_ENTRY',
      `entry ${single[0]} (${single[1].event}) was written but its transaction did not commit`,
      single[1].line,
    );
  } else if (beyond.length > 1) {
    add(
      'CAS_AUDIT_ROLLBACK',
      `${beyond.length} entries after the CAS's checkpoint (seq ${cp.seq}): its database was rolled back`,
    );
  }
  return cp;
}
