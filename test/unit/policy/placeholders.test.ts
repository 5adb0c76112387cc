import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  allowedFormats,
  findPlaceholders,
  resolvePlaceholder,
  scanPlaceholders,
} from '../../../src/policy/placeholders.js';

test('findPlaceholders reads name, format and escape', () => {
  const text = 'a $$SCONE::pw$$ b $$SCONE::cert:crt:pem$$ $$SCONE::k:hex|escape(json)$$ $$ 5$';
  assert.deepEqual(findPlaceholders(text), [
    { secret: 'pw', raw: '$$SCONE::pw$$', index: 2 },
    { secret: 'cert', format: 'crt:pem', raw: '$$SCONE::cert:crt:pem$$', index: 18 },
    { secret: 'k', format: 'hex', escape: 'json', raw: '$$SCONE::k:hex|escape(json)$$', index: 42 },
  ]);
});

test('glued placeholders are two placeholders', () => {
  const found = findPlaceholders('$$SCONE::svid:crt$$$$SCONE::svid:chain$$');
  assert.deepEqual(
    found.map((p) => [p.secret, p.format]),
    [
      ['svid', 'crt'],
      ['svid', 'chain'],
    ],
  );
});

test('legacy dotted suffixes map to formats', () => {
  const found = findPlaceholders(
    '$$SCONE::flask.crt$$ $$SCONE::flask.key$$ $$SCONE::ca.chain$$ $$SCONE::b.hex$$',
  );
  assert.deepEqual(
    found.map((p) => [p.secret, p.format, p.legacySuffix]),
    [
      ['flask', 'crt', 'crt'],
      ['flask', 'privatekey', 'key'],
      ['ca', 'chain', 'chain'],
      ['b', 'hex', 'hex'],
    ],
  );
});

test('a secret literally named with a dot wins only when the short name does not exist', () => {
  const [p] = findPlaceholders('$$SCONE::tls.key$$');
  assert.ok(p);
  assert.deepEqual(
    resolvePlaceholder(p, (n) => n === 'tls.key'),
    { secret: 'tls.key', format: '' },
  );
  assert.deepEqual(
    resolvePlaceholder(p, (n) => n === 'tls'),
    { secret: 'tls', format: 'privatekey' },
  );
  assert.equal(
    resolvePlaceholder(p, () => false),
    null,
  );
});

test('malformed openings are reported, other $$ is literal', () => {
  const r = scanPlaceholders('cost $$ 5 $$SCONE::bad name$$ $$SCONE::open');
  assert.deepEqual(r.placeholders, []);
  assert.deepEqual(
    r.malformed.map((m) => m.raw),
    ['$$SCONE::bad name$$', '$$SCONE::open'],
  );
  assert.deepEqual(
    r.malformed.map((m) => m.index),
    [10, 30],
  );
});

test('allowedFormats follows the secret-kind table', () => {
  assert.deepEqual(allowedFormats('ascii'), ['']);
  assert.ok(allowedFormats('binary').includes('base32nopad'));
  assert.ok(!allowedFormats('binary').includes('crt'));
  assert.ok(allowedFormats('x509').includes('privatekey:pkcs8:der'));
  assert.ok(allowedFormats('x509-ca').includes('chain'));
  assert.ok(allowedFormats('private-key').includes('pkcs8:pem'));
  assert.deepEqual(allowedFormats('public-key'), ['', 'spki:pem', 'spki:der']);
  assert.deepEqual(allowedFormats('config-fragment'), []);
});
