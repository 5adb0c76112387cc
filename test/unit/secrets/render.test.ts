import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Session } from '../../../src/policy/types.js';
import { base32Encode } from '../../../src/secrets/base32.js';
import { importedValue } from '../../../src/secrets/imported-value.js';
import { renderService } from '../../../src/secrets/render-service.js';
import { renderTemplate, type SecretLookup } from '../../../src/secrets/render-template.js';
import { SecretValue } from '../../../src/secrets/secret-value.js';
import { dataOf, generateAll, rejectsWithCode } from './fixtures.js';

const values = await generateAll([
  { name: 'pw', kind: 'ascii', value: 'p@ss "quoted"\\' },
  { name: 'foobar', kind: 'binary', value: '666f6f626172' },
  { name: 'odd', kind: 'binary', value: 'fbff00' },
  { name: 'ec', kind: 'private-key' },
  { name: 'ed', kind: 'private-key', key_type: 'Ed25519' },
  { name: 'rsa', kind: 'private-key', key_type: 'RSA-2048' },
  { name: 'pub', kind: 'public-key', private_key: 'ec' },
  { name: 'root', kind: 'x509-ca' },
  { name: 'inter', kind: 'x509-ca', issuer: 'root' },
  { name: 'leaf', kind: 'x509', issuer: 'inter', private_key: 'ed' },
  { name: 'frag', kind: 'config-fragment', value: { a: 1 } },
  { name: 'nul', kind: 'ascii', value: 'a\0b' },
]);
values.set('imported', importedValue(values.get('leaf')!, false));
const lookup: SecretLookup = (n) => values.get(n);
const text = (t: string): string => renderTemplate(t, lookup, { context: 'text' });
const file = (t: string): Buffer => renderTemplate(t, lookup, { context: 'file' });

const ecPem = dataOf(values.get('ec'), 'private-key').pkcs8_pem;
const edPem = dataOf(values.get('ed'), 'private-key').pkcs8_pem;
const leaf = dataOf(values.get('leaf'), 'x509');
const inter = dataOf(values.get('inter'), 'x509-ca');
const root = dataOf(values.get('root'), 'x509-ca');

test('binary formats match RFC 4648 test vectors and hand-computed encodings', () => {
  assert.deepEqual(file('$$SCONE::foobar$$'), Buffer.from('foobar'));
  assert.deepEqual(file('$$SCONE::foobar:bin$$'), Buffer.from('foobar'));
  assert.equal(text('$$SCONE::foobar:hex$$'), '666f6f626172');
  assert.equal(text('$$SCONE::foobar.hex$$'), '666f6f626172');
  assert.equal(text('$$SCONE::foobar:base64$$'), 'Zm9vYmFy');
  assert.equal(text('$$SCONE::foobar:base32$$'), 'MZXW6YTBOI======');
  assert.equal(text('$$SCONE::foobar:base32nopad$$'), 'MZXW6YTBOI');
  assert.equal(text('$$SCONE::odd:base64$$'), '+/8A');
  assert.equal(text('$$SCONE::odd:base64url$$'), '-_8A');
  const vectors: [string, string][] = [
    ['', ''],
    ['f', 'MY======'],
    ['fo', 'MZXQ===='],
    ['foo', 'MZXW6==='],
    ['foob', 'MZXW6YQ='],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI======'],
  ];
  for (const [input, out] of vectors) assert.equal(base32Encode(Buffer.from(input)), out);
});

test('base32 decodes back to the bytes with an independent decoder', () => {
  const decode = (s: string): Buffer => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const bits = [...s.replace(/=+$/, '')]
      .map((c) => alphabet.indexOf(c).toString(2).padStart(5, '0'))
      .join('');
    const bytes = [];
    for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
    return Buffer.from(bytes);
  };
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      assert.deepEqual(decode(base32Encode(bytes)), Buffer.from(bytes));
      assert.equal(base32Encode(bytes, false), base32Encode(bytes).replace(/=+$/, ''));
      assert.equal(base32Encode(bytes).length % 8, 0);
    }),
  );
});

test('private-key formats: PKCS#8 PEM and DER; Ed25519 DER is PKCS#8 v2 with the public key', () => {
  for (const f of ['', ':pem', ':pkcs8:pem']) assert.equal(text(`$$SCONE::ec${f}$$`), ecPem);
  for (const f of [':der', ':pkcs8:der']) {
    const der = file(`$$SCONE::ec${f}$$`);
    const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    assert.deepEqual(key.export({ type: 'pkcs8', format: 'pem' }), ecPem);
    const rsa = file(`$$SCONE::rsa${f}$$`);
    assert.equal(
      createPrivateKey({ key: rsa, format: 'der', type: 'pkcs8' }).asymmetricKeyType,
      'rsa',
    );
  }
  const v2 = file('$$SCONE::ed:der$$');
  const edKey = createPrivateKey(edPem);
  const v1 = edKey.export({ type: 'pkcs8', format: 'der' });
  const pub = createPublicKey(edKey).export({ type: 'spki', format: 'der' }).subarray(12);
  // SEQUENCE(81) { INTEGER 1, AlgorithmIdentifier Ed25519, OCTET STRING(OCTET STRING seed), [1] BIT STRING pub }.
  assert.equal(v2.length, 83);
  assert.equal(v2.subarray(0, 5).toString('hex'), '3051020101');
  assert.deepEqual(v2.subarray(5, 48), v1.subarray(5, 48));
  assert.equal(v2.subarray(48, 51).toString('hex'), '812100');
  assert.deepEqual(v2.subarray(51), pub);
  assert.equal(text('$$SCONE::ed$$'), edPem);
});

test('public-key formats: SPKI PEM and DER', () => {
  const pem = createPublicKey(createPrivateKey(ecPem)).export({ type: 'spki', format: 'pem' });
  assert.equal(text('$$SCONE::pub$$'), pem);
  assert.equal(text('$$SCONE::pub:spki:pem$$'), pem);
  assert.deepEqual(
    file('$$SCONE::pub:spki:der$$'),
    createPublicKey(pem).export({ type: 'spki', format: 'der' }),
  );
});

test('certificate formats: crt PEM/DER, chain (intermediates to root, not self), private key', () => {
  for (const f of ['', ':crt', ':crt:pem', '.crt'])
    assert.equal(text(`$$SCONE::leaf${f}$$`), leaf.certificate_pem);
  assert.deepEqual(
    file('$$SCONE::leaf:crt:der$$'),
    Buffer.from(new X509Certificate(leaf.certificate_pem).raw),
  );
  assert.equal(text('$$SCONE::leaf:chain$$'), inter.certificate_pem + root.certificate_pem);
  assert.equal(text('$$SCONE::leaf.chain$$'), inter.certificate_pem + root.certificate_pem);
  assert.equal(text('$$SCONE::inter:chain$$'), root.certificate_pem);
  assert.equal(text('$$SCONE::root:chain$$'), '');
  for (const f of [':privatekey', ':privatekey:pem', ':privatekey:pkcs8:pem', '.key']) {
    assert.equal(text(`$$SCONE::leaf${f}$$`), edPem);
  }
  for (const f of [':privatekey:der', ':privatekey:pkcs8:der']) {
    assert.deepEqual(file(`$$SCONE::leaf${f}$$`), file('$$SCONE::ed:der$$'));
  }
  assert.equal(text('$$SCONE::root:privatekey$$'), root.private_key_pem);
  // A secret literally named `x.crt` wins over the legacy suffix.
  const dotted = new Map([
    ['cfg.crt', new SecretValue({ kind: 'ascii', origin: 'explicit', text: 'plain' })],
  ]);
  assert.equal(
    renderTemplate('$$SCONE::cfg.crt$$', (n) => dotted.get(n), { context: 'text' }),
    'plain',
  );
});

test('escape(json) escapes without quotes: JSON.parse of the quoted rendering gives the value back', () => {
  assert.equal(text('{"p":"$$SCONE::pw|escape(json)$$"}'), '{"p":"p@ss \\"quoted\\"\\\\"}');
  assert.equal(
    (JSON.parse(text('{"c":"$$SCONE::leaf:crt|escape(json)$$"}')) as { c: string }).c,
    leaf.certificate_pem,
  );
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      const v = new Map([['s', new SecretValue({ kind: 'ascii', origin: 'explicit', text: s })]]);
      const out = renderTemplate('"$$SCONE::s|escape(json)$$"', (n) => v.get(n), {
        context: 'file',
      });
      assert.equal(JSON.parse(out.toString('utf8')), s);
    }),
  );
});

test('text around placeholders and literal $$ are kept; several placeholders in one string', () => {
  assert.equal(text('cost $$ 5 and $$x$$ $'), 'cost $$ 5 and $$x$$ $');
  assert.equal(
    text('--key=$$SCONE::foobar:hex$$,$$SCONE::foobar:base64$$!'),
    '--key=666f6f626172,Zm9vYmFy!',
  );
  assert.deepEqual(file('a$$SCONE::foobar$$b'), Buffer.from('afoobarb'));
  // A value that looks like a placeholder is inserted literally, not rendered again.
  const tricky = new Map([
    ['t', new SecretValue({ kind: 'ascii', origin: 'explicit', text: '$$SCONE::k$$' })],
    ['k', new SecretValue({ kind: 'ascii', origin: 'explicit', text: 'SECRET' })],
  ]);
  assert.equal(
    renderTemplate('<$$SCONE::t$$>', (n) => tricky.get(n), { context: 'text' }),
    '<$$SCONE::k$$>',
  );
});

test('a placeholder that cannot render fails with CAS_SECRETS_RENDER_FAILED naming it, never the value', async () => {
  const cases: [string, 'text' | 'file', string][] = [
    ['$$SCONE::missing$$', 'text', 'no secret'],
    ['$$SCONE::foobar$$', 'text', 'raw bytes'],
    ['$$SCONE::foobar:bin$$', 'text', 'raw bytes'],
    ['$$SCONE::ec:der$$', 'text', 'raw bytes'],
    ['$$SCONE::leaf:crt:der$$', 'text', 'raw bytes'],
    ['$$SCONE::foobar|escape(json)$$', 'file', 'escape(json)'],
    ['$$SCONE::pw:hex$$', 'text', 'not allowed'],
    ['$$SCONE::ec:spki:pem$$', 'text', 'not allowed'],
    ['$$SCONE::frag$$', 'text', 'not allowed'],
    ['$$SCONE::imported:privatekey$$', 'file', 'no private key'],
    ['$$SCONE::leaf:bogus$$', 'file', 'not allowed'],
    ['$$SCONE::nul$$', 'text', 'NUL'],
    ['x $$SCONE::bad name$$', 'text', 'malformed'],
  ];
  for (const [template, context, why] of cases) {
    const err = await rejectsWithCode(
      () => renderTemplate(template, lookup, { context }),
      'CAS_SECRETS_RENDER_FAILED',
      why,
    );
    const raw = /\$\$SCONE::[^$]*\$\$/.exec(template)![0];
    assert.ok(err.message.includes(raw), err.message);
    assert.equal(err.details?.['placeholder'], raw);
    for (const secret of ['p@ss', 'foobar"', 'Zm9v', 'PRIVATE KEY', 'a\0b'])
      assert.ok(!err.message.includes(secret));
  }
  // The imported certificate itself still renders.
  assert.equal(text('$$SCONE::imported:crt$$'), leaf.certificate_pem);
});

const session: Session = {
  name: 's',
  version: '0.3.10',
  predecessor: null,
  services: [
    {
      name: 'app',
      image_name: 'img',
      command: ['/bin/app', '--pw', '$$SCONE::pw$$', '--key=$$SCONE::foobar:hex$$'],
      environment: Object.fromEntries([
        ['TOKEN', '$$SCONE::foobar:base64$$'],
        ['PLAIN', 'x$$y'],
        ['__proto__', '$$SCONE::foobar:hex$$'],
      ]),
      pwd: '/srv/$$SCONE::foobar:hex$$',
      attestation: [],
    },
    { name: 'bare', command: ['true'], environment: {}, attestation: [] },
    { name: 'lost', image_name: 'nope', command: ['true'], environment: {}, attestation: [] },
  ],
  secrets: [],
  images: [
    {
      name: 'img',
      injection_files: [
        { path: '/etc/app/key.der', content: '$$SCONE::ec:der$$', permission: 0o600 },
        {
          path: '/etc/app/conf.json',
          content: '{"pw":"$$SCONE::pw|escape(json)$$"}',
          permission: 0o640,
        },
        { path: '/etc/app/existing', permission: 0o700 },
      ],
    },
  ],
  access_policy: {
    read: ['CREATOR'],
    update: ['CREATOR'],
    create_sessions: ['CREATOR'],
    list_sessions: ['CREATOR'],
  },
  security: { attestation: { mode: 'hardware', tolerate: [], ignore_advisories: [] } },
};

test('renderService renders argv, env, pwd as text and injection files as bytes with their modes', () => {
  const r = renderService(session, 'app', values);
  assert.deepEqual(r.argv, ['/bin/app', '--pw', 'p@ss "quoted"\\', '--key=666f6f626172']);
  assert.equal(r.env['TOKEN'], 'Zm9vYmFy');
  assert.equal(r.env['PLAIN'], 'x$$y');
  assert.equal(Object.getOwnPropertyDescriptor(r.env, '__proto__')?.value, '666f6f626172');
  assert.equal(Object.getPrototypeOf(r.env), Object.prototype);
  assert.equal(r.pwd, '/srv/666f6f626172');
  assert.equal(r.files.length, 2);
  assert.deepEqual(r.files[0], {
    path: '/etc/app/key.der',
    mode: 0o600,
    content: file('$$SCONE::ec:der$$'),
  });
  assert.equal(r.files[1]!.content.toString(), '{"pw":"p@ss \\"quoted\\"\\\\"}');
  assert.equal(r.files[1]!.mode, 0o640);
  assert.deepEqual(r.pathOnlyFiles, [{ path: '/etc/app/existing', mode: 0o700 }]);
  const bare = renderService(session, 'bare', values);
  assert.deepEqual(bare, { argv: ['true'], env: {}, files: [], pathOnlyFiles: [] });
});

test('renderService refuses unknown services and images, and withheld secrets', async () => {
  await rejectsWithCode(
    () => renderService(session, 'ghost', values),
    'CAS_SECRETS_RENDER_FAILED',
    'ghost',
  );
  // An undeclared image (accepted with a warning, as in SCONE) gives no files.
  assert.deepEqual(renderService(session, 'lost', values).files, []);
  await rejectsWithCode(
    () => renderService(session, 'app', values, { withhold: new Set(['pw']) }),
    'CAS_SECRETS_RENDER_FAILED',
    '$$SCONE::pw$$',
  );
});

test('text without $$SCONE:: comes back unchanged; any template fails only with a coded error', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      fc.pre(!s.includes('$$SCONE::'));
      assert.equal(text(s), s);
      assert.deepEqual(file(s), Buffer.from(s, 'utf8'));
    }),
  );
  const piece = fc.oneof(
    fc.string(),
    fc.constantFrom(
      '$$',
      '$$SCONE::',
      '$$SCONE::foobar',
      '$$SCONE::foobar:hex$$',
      '$$SCONE::pw|escape(json)$$',
      ':',
      '|',
      '.crt',
    ),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 8 }), (parts) => {
      const template = parts.join('');
      for (const context of ['text', 'file'] as const) {
        try {
          renderTemplate(template, lookup, { context });
        } catch (e) {
          assert.ok(
            e instanceof Error && 'code' in e && e.code === 'CAS_SECRETS_RENDER_FAILED',
            String(e),
          );
        }
      }
    }),
  );
});
