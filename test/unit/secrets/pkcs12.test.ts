import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { test } from 'node:test';
import type { KeyType } from '../../../src/policy/types.js';
import { importedValue } from '../../../src/secrets/imported-value.js';
import { renderTemplate } from '../../../src/secrets/render-template.js';
import { dataOf, generateAll, rejectsWithCode } from './fixtures.js';

const keyTypes: KeyType[] = ['P-256', 'Ed25519', 'RSA-2048'];

for (const keyType of keyTypes) {
  test(`:pkcs12-with-private-key (${keyType}) loads in Node's TLS and in openssl with an empty password`, async (t) => {
    const values = await generateAll([
      { name: 'ca', kind: 'x509-ca' },
      { name: 'leaf', kind: 'x509', issuer: 'ca', key_type: keyType },
    ]);
    const leaf = dataOf(values.get('leaf'), 'x509');
    const p12 = renderTemplate('$$SCONE::leaf:pkcs12-with-private-key$$', (n) => values.get(n), {
      context: 'file',
    });
    assert.deepEqual(
      renderTemplate('$$SCONE::leaf:pkcs12-with-private-key$$', (n) => values.get(n), {
        context: 'file',
      }),
      p12,
      'the rendering is deterministic',
    );
    createSecureContext({ pfx: p12 });
    createSecureContext({ pfx: p12, passphrase: '' });

    const probe = spawnSync('openssl', ['version']);
    if (probe.error !== undefined || probe.status !== 0) {
      t.skip('skipped: openssl is not on PATH');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'cas-p12-'));
    try {
      const path = join(dir, 'x.p12');
      writeFileSync(path, p12);
      const r = spawnSync('openssl', ['pkcs12', '-in', path, '-passin', 'pass:', '-nodes'], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      const certs =
        r.stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? [];
      assert.deepEqual(certs, [leaf.certificate_pem, ...leaf.chain_pem]);
      const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(
        r.stdout,
      )![0];
      assert.deepEqual(
        createPrivateKey(key).export({ type: 'pkcs8', format: 'der' }),
        createPrivateKey(leaf.private_key_pem!).export({ type: 'pkcs8', format: 'der' }),
      );
      // The MAC is real: another password is refused.
      const wrong = spawnSync('openssl', ['pkcs12', '-in', path, '-passin', 'pass:x', '-nodes'], {
        encoding: 'utf8',
      });
      assert.notEqual(wrong.status, 0);
      assert.match(wrong.stderr, /mac verify/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test(':pkcs12-with-private-key needs the key and a file', async () => {
  const values = await generateAll([{ name: 'c', kind: 'x509' }]);
  values.set('imp', importedValue(values.get('c')!, false));
  await rejectsWithCode(
    () =>
      renderTemplate('$$SCONE::imp:pkcs12-with-private-key$$', (n) => values.get(n), {
        context: 'file',
      }),
    'CAS_SECRETS_RENDER_FAILED',
    'no private key',
  );
  await rejectsWithCode(
    () =>
      renderTemplate('$$SCONE::c:pkcs12-with-private-key$$', (n) => values.get(n), {
        context: 'text',
      }),
    'CAS_SECRETS_RENDER_FAILED',
    'raw bytes',
  );
});
