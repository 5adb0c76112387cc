import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../../../src/policy/duration.js';
import { splitCommand } from '../../../src/policy/split-command.js';

test('splitCommand splits like a shell without expanding anything', () => {
  const cases: Array<[string, string[]]> = [
    ['/bin/app a b', ['/bin/app', 'a', 'b']],
    ['  spaced\t out  ', ['spaced', 'out']],
    [`envcas -c 'cat /srv/out1'`, ['envcas', '-c', 'cat /srv/out1']],
    ['sh -c "echo \\"hi\\" $HOME"', ['sh', '-c', 'echo "hi" $HOME']],
    ['a\\ b', ['a b']],
    ["x''y", ['xy']],
    ["''", ['']],
    ['run --pw $$SCONE::pw$$', ['run', '--pw', '$$SCONE::pw$$']],
    ['', []],
  ];
  for (const [command, argv] of cases) assert.deepEqual(splitCommand(command), { argv }, command);
  for (const bad of ["a 'b", 'a "b', 'a \\']) assert.ok('error' in splitCommand(bad), bad);
});

test('parseDuration reads the spellings of the reference', () => {
  const cases: Array<[string, number | null]> = [
    ['90 days', 90 * 86400],
    ['59d', 59 * 86400],
    ['3560d', 3560 * 86400],
    ['24h', 86400],
    ['30m', 1800],
    ['1 day', 86400],
    ['0d', null],
    ['5 fortnights', null],
    ['d', null],
    ['-1d', null],
    ['99999999d', null],
  ];
  for (const [text, want] of cases) assert.equal(parseDuration(text), want, text);
});
