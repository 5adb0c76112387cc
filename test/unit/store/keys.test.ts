import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  auditCheckpointKey,
  auditSequenceKey,
  backupKey,
  backupKeyHashOf,
  backupListPrefix,
  escapeSegment,
  metaKey,
  ownerConfigKey,
  ownerKey,
  secretKey,
  secretNameOf,
  secretPrefix,
  sessionKey,
  sessionListPrefix,
  sessionNameOf,
  sessionVersionKey,
  sessionVersionPrefix,
  unescapeSegment,
} from '../../../src/store/keys.js';

const name = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 });
const anyName = fc.oneof(
  name,
  fc.string({ minLength: 1, maxLength: 20 }),
  fc.constantFrom('a/b', '%2F', 'x%', '/', '..', 'a\nb'),
);

test('escaping round-trips and removes every slash', () => {
  fc.assert(
    fc.property(anyName, (n) => {
      const e = escapeSegment(n);
      assert.equal(e.includes('/'), false);
      assert.equal(unescapeSegment(e), n);
    }),
  );
});

test('a session name never yields another session key or another area', () => {
  fc.assert(
    fc.property(anyName, anyName, (a, b) => {
      fc.pre(a !== b);
      assert.notEqual(sessionKey(a), sessionKey(b));
      assert.equal(secretKey(a, 'x').startsWith(secretPrefix(b)), false);
      assert.equal(sessionVersionKey(a, 1).startsWith(sessionVersionPrefix(b)), false);
      assert.equal(sessionNameOf(sessionKey(a)), a);
      assert.equal(secretNameOf(a, secretKey(a, b)), b);
    }),
  );
});

test('a name prefix lists exactly the names that start with it', () => {
  fc.assert(
    fc.property(anyName, anyName, (prefix, rest) => {
      assert.ok(sessionKey(prefix + rest).startsWith(sessionListPrefix(prefix)));
    }),
  );
  assert.equal(sessionKey('a/b').startsWith(sessionListPrefix('a/')), true);
  assert.equal(sessionKey('a%2Fb').startsWith(sessionListPrefix('a/')), false);
});

test('table of key shapes', () => {
  const cases: [string, string][] = [
    [sessionKey('demo'), 'session/demo'],
    [sessionKey('ns~app/x'), 'session/ns~app%2Fx'],
    [sessionKey('100%'), 'session/100%25'],
    [sessionVersionKey('demo', 12), 'session-version/demo/0000000000000012'],
    [secretKey('demo', 'db_password'), 'secret/demo/db_password'],
    [ownerKey(), 'cas/owner'],
    [ownerConfigKey(), 'cas/owner-config'],
    [metaKey('state'), 'cas/meta/state'],
    [auditCheckpointKey(), 'audit/checkpoint'],
    [auditSequenceKey(), 'audit/sequence'],
    [backupKey('abc'), 'backup/abc'],
  ];
  for (const [actual, expected] of cases) assert.equal(actual, expected);
  assert.equal(backupKeyHashOf(backupKey('h1')), 'h1');
  assert.equal(backupKeyHashOf(`${backupListPrefix()}a/b`), null);
  assert.equal(sessionNameOf('secret/demo/x'), null);
  assert.throws(() => sessionVersionKey('demo', -1), RangeError);
});

test('version keys list in numeric order', () => {
  const keys = [2, 10, 1, 100].map((n) => sessionVersionKey('s', n)).sort();
  assert.deepEqual(
    keys,
    [1, 2, 10, 100].map((n) => sessionVersionKey('s', n)),
  );
});
