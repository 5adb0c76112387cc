import { hashLine, parseLine } from './audit-line.js';

/** An event line of the audit file: what an `aborted` line names. */
export interface WrittenEvent {
  readonly seq: number;
  readonly event: string;
  readonly hash: string;
}

/**
 * The events at the end of the audit file that the database's checkpoint does not cover and no
 * `aborted` line cancels: their transactions never committed (the CAS stopped between writing
 * the line and the commit). The SQLite store's group commit commits several transactions at
 * once, so one stop can leave several such lines, in seq order. Without a checkpoint only the
 * last line can count: a database that never committed an event has no claim on an older file's
 * history (the verifier reports that case as a rollback instead).
 */
export function uncommittedEvents(
  lines: readonly string[],
  checkpoint: { readonly seq: number } | undefined,
): WrittenEvent[] {
  const found: WrittenEvent[] = [];
  const cancelled = new Set<number>();
  for (let i = lines.length - 1; i >= 0; i--) {
    const text = lines[i] ?? '';
    const line = parseLine(text);
    if (line === null) break;
    if (line.event === 'aborted') {
      cancelled.add(line.seq);
      continue;
    }
    if (checkpoint !== undefined && line.seq <= checkpoint.seq) break;
    if (!cancelled.has(line.seq)) {
      found.unshift({ seq: line.seq, event: line.event, hash: hashLine(text) });
    }
    if (checkpoint === undefined) break;
  }
  return found;
}
