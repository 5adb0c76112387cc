import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAllowed } from '../../../src/policy/access.js';
import type { PolicyEntry } from '../../../src/policy/types.js';

const ALICE = 'alice-key-hash';
const BOB = 'bob-key-hash';

test('isAllowed decides each kind of entry', () => {
  const cases: Array<[string, PolicyEntry[], string, string | null, boolean]> = [
    ['CREATOR admits the creator', ['CREATOR'], ALICE, ALICE, true],
    ['CREATOR refuses others', ['CREATOR'], BOB, ALICE, false],
    ['CREATOR refuses when the creator is unknown', ['CREATOR'], ALICE, null, false],
    ['ANY admits anyone', ['ANY'], BOB, null, true],
    ['NONE admits nobody, not even the creator', ['NONE'], ALICE, ALICE, false],
    ['a key hash admits its holder', [{ key_hash: BOB }], BOB, ALICE, true],
    ['a key hash refuses others', [{ key_hash: BOB }], ALICE, ALICE, false],
    ['any matching entry admits', ['CREATOR', { key_hash: BOB }], BOB, ALICE, true],
    ['an empty list admits nobody', [], ALICE, ALICE, false],
  ];
  for (const [name, entries, caller, creator, want] of cases) {
    assert.equal(isAllowed(entries, caller, creator), want, name);
  }
});
