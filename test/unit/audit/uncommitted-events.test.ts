import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashLine, serializeLine } from '../../../src/audit/audit-line.js';
import { uncommittedEvents } from '../../../src/audit/uncommitted-events.js';

/** A chain of unsigned lines: [seq, event] pairs, `aborted` ones naming the seq they cancel. */
function chain(entries: ReadonlyArray<readonly [number, string]>): string[] {
  const out: string[] = [];
  let prev = '0'.repeat(64);
  for (const [seq, event] of entries) {
    const line = serializeLine({ seq, time: '2026-11-23T00:00:00.000Z', event, prev }, undefined);
    out.push(line);
    prev = hashLine(line);
  }
  return out;
}

const seqs = (lines: string[], cp: { seq: number } | undefined) =>
  uncommittedEvents(lines, cp).map((e) => [e.seq, e.event]);

test('the events after the checkpoint that no aborted line cancels, in seq order', () => {
  const base: Array<[number, string]> = [
    [1, 'cas_started'],
    [2, 'session_created'],
    [3, 'session_read'],
  ];
  const table: Array<{
    name: string;
    lines: Array<[number, string]>;
    cp: { seq: number } | undefined;
    want: Array<[number, string]>;
  }> = [
    { name: 'all committed', lines: base, cp: { seq: 3 }, want: [] },
    {
      name: 'one batch of two lost',
      lines: [...base, [4, 'session_created'], [5, 'session_updated']],
      cp: { seq: 3 },
      want: [
        [4, 'session_created'],
        [5, 'session_updated'],
      ],
    },
    {
      name: 'one of them already aborted',
      lines: [...base, [4, 'session_created'], [5, 'session_updated'], [4, 'aborted']],
      cp: { seq: 3 },
      want: [[5, 'session_updated']],
    },
    {
      name: 'an aborted line before the checkpoint is passed over',
      lines: [
        [1, 'cas_started'],
        [2, 'session_created'],
        [2, 'aborted'],
        [3, 'session_read'],
        [4, 'session_read'],
      ],
      cp: { seq: 3 },
      want: [[4, 'session_read']],
    },
    {
      name: 'no checkpoint: the last line only',
      lines: base,
      cp: undefined,
      want: [[3, 'session_read']],
    },
    {
      name: 'no checkpoint, last line aborted: nothing',
      lines: [...base, [3, 'aborted']],
      cp: undefined,
      want: [],
    },
  ];
  for (const row of table) assert.deepEqual(seqs(chain(row.lines), row.cp), row.want, row.name);
});

test('a damaged line ends the walk: nothing before it is taken for uncommitted', () => {
  const lines = chain([
    [1, 'cas_started'],
    [2, 'session_created'],
  ]);
  assert.deepEqual(seqs([...lines, '{"seq":'], { seq: 1 }), []);
  assert.deepEqual(seqs([], { seq: 1 }), []);
});
