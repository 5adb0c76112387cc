import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { codeTables, errorCodes } from '../../src/errors/codes.js';
import { renderErrorsDoc } from '../helpers/errors-doc.js';

function testSources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) testSources(path, out);
    else if (path.endsWith('.ts') && !path.includes(join('test', 'meta'))) out.push(path);
  }
  return out;
}

test('docs/errors.md is generated from the registry and up to date', () => {
  const doc = readFileSync('docs/errors.md', 'utf8');
  assert.equal(doc, renderErrorsDoc(), 'run: node --import tsx scripts/gen-errors-doc.ts');
});

test('every error code is asserted by some test', () => {
  const corpus = testSources('test')
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const unasserted = Object.keys(errorCodes).filter(
    (code) => code !== 'CAS_INTERNAL' && !corpus.includes(`'${code}'`),
  );
  assert.deepEqual(unasserted, [], `codes no test asserts: ${unasserted.join(', ')}`);
});

test('codes follow CAS_<AREA>_<WHAT> and HTTP 500 is for bugs only', () => {
  for (const [code, info] of Object.entries(errorCodes)) {
    assert.match(code, /^CAS_[A-Z0-9]+(_[A-Z0-9]+)*$/);
    // A 500 must say in its summary that it means a bug (or corruption the barrier should
    // have made impossible), so nobody maps an ordinary refusal to it.
    if (info.status === 500) assert.match(info.summary, /\bbug\b/i, code);
  }
});

test('no code is defined in two areas', () => {
  const all = codeTables.flatMap((table) => Object.keys(table));
  const twice = all.filter((code, i) => all.indexOf(code) !== i);
  assert.deepEqual(twice, []);
  assert.equal(all.length, Object.keys(errorCodes).length);
});
