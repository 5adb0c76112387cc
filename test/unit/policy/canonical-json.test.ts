import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from '../../../src/encoding/canonical-json.js';

test('canonicalJson sorts keys by UTF-16 code units and drops white space and undefined', () => {
  assert.equal(
    canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined }),
    '{"a":[true,null,"x"],"b":1}',
  );
  // U+00E9 sorts after "z"; an astral character (surrogates D83D...) sorts before U+FFFD.
  assert.equal(
    canonicalJson({ é: 1, z: 2, '\uFFFD': 3, '😀': 4 }),
    '{"z":2,"é":1,"😀":4,"\uFFFD":3}',
  );
  assert.equal(canonicalJson({ n: 1e21, m: -0, f: 0.1 }), '{"f":0.1,"m":0,"n":1e+21}');
  assert.equal(canonicalJson('a"\u0001'), '"a\\"\\u0001"');
});

test('canonicalJson refuses what JSON cannot carry', () => {
  for (const bad of [
    NaN,
    Infinity,
    -Infinity,
    1n,
    () => 1,
    Symbol('s'),
    undefined,
    [undefined],
    { a: [NaN] },
  ]) {
    assert.throws(() => canonicalJson(bad), TypeError);
  }
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  assert.throws(() => canonicalJson(cyclic), TypeError);
  const shared = { x: 1 };
  assert.equal(canonicalJson({ a: shared, b: shared }), '{"a":{"x":1},"b":{"x":1}}');
});

test('canonicalJson is JSON that parses back to the same data, whatever the key order', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const text = canonicalJson(value);
      assert.doesNotMatch(text, /[\n\r\t]/);
      const back: unknown = JSON.parse(text);
      assert.equal(canonicalJson(back), text);
      assert.equal(canonicalJson(shuffleKeys(value)), text);
    }),
    { numRuns: 300 },
  );
});

function shuffleKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shuffleKeys);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).reverse();
    return Object.fromEntries(entries.map(([k, v]) => [k, shuffleKeys(v)]));
  }
  return value;
}
