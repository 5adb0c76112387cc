import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkSessionName,
  parentNamespace,
  resolveSessionRef,
  splitConfigId,
} from '../../../src/policy/session-name.js';

test('checkSessionName accepts segment names and refuses the rest', () => {
  const ok = [
    'app',
    'org/project/app',
    'NS~rest',
    'a.b-c_d~e',
    'x'.repeat(128),
    `${'a'.repeat(100)}/`.repeat(9) + 'z',
  ];
  for (const name of ok) assert.equal(checkSessionName(name), null, name);
  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['.', /"\." is not allowed/],
    ['a/..', /"\.\." is not allowed/],
    ['a//b', /1 to 128/],
    ['/a', /1 to 128/],
    ['a b', /1 to 128/],
    ['x'.repeat(129), /1 to 128/],
    ['ü', /1 to 128/],
    [`${'a'.repeat(128)}/`.repeat(8) + 'a', /1024 bytes/],
  ];
  for (const [name, message] of bad) assert.match(checkSessionName(name) ?? 'ok', message, name);
});

test('parentNamespace follows / and the top-level ~ convention', () => {
  const cases: Array<[string, string | null]> = [
    ['a/b/c', 'a/b'],
    ['a/b', 'a'],
    ['NS~rest', 'NS'],
    ['NS~a~b', 'NS'],
    ['a/NS~x', 'a'],
    ['plain', null],
    ['~x', null],
  ];
  for (const [name, parent] of cases) assert.equal(parentNamespace(name), parent, name);
});

test('splitConfigId splits at the last slash', () => {
  assert.deepEqual(splitConfigId('ns/sess/svc'), { session: 'ns/sess', service: 'svc' });
  assert.deepEqual(splitConfigId('sess/svc'), { session: 'sess', service: 'svc' });
  for (const bad of ['svc', '/svc', 'sess/', '']) assert.equal(splitConfigId(bad), null, bad);
});

test('relative session references resolve against the session name', () => {
  const cases: Array<[string, string, string | null]> = [
    ['NS/attestation_policy', '../access_token_policy', 'NS/access_token_policy'],
    ['NS/nested/x', '../../access_token_policy', 'NS/access_token_policy'],
    ['NS/app', './child', 'NS/app/child'],
    ['NS/app', 'other/abs', 'other/abs'],
    ['app', '../../x', null],
  ];
  for (const [base, ref, want] of cases) assert.equal(resolveSessionRef(base, ref), want, ref);
});
