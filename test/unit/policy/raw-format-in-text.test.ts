import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSession } from '../../../src/policy/parse-session.js';
import { MRENCLAVE, session } from './fixtures.js';

const SECRETS = `secrets:
  - {name: bin, kind: binary, size: 16}
  - {name: k, kind: private-key}
  - {name: pub, kind: public-key, private_key: k}
  - {name: c, kind: x509-ca, private_key: k}
`;

/** A session with one service using `site` (a YAML line of the service, or an image). */
function withPlaceholder(where: 'command' | 'environment' | 'pwd' | 'file', ph: string): string {
  const line = {
    command: `    command: /bin/app ${ph}\n`,
    environment: `    command: /bin/app\n    environment: {V: "${ph}"}\n`,
    pwd: `    command: /bin/app\n    pwd: /x/${ph}\n`,
    file: `    command: /bin/app\n    image_name: img\n`,
  }[where];
  const image =
    where === 'file'
      ? `images:\n  - name: img\n    injection_files:\n      - {path: /a, content: "${ph}"}\n`
      : '';
  return session(
    `services:\n  - name: svc\n    attestation: {mrenclave: ["${MRENCLAVE}"]}\n${line}${image}${SECRETS}`,
  );
}

const RAW = [
  '$$SCONE::bin$$',
  '$$SCONE::bin:bin$$',
  '$$SCONE::k:der$$',
  '$$SCONE::k:pkcs8:der$$',
  '$$SCONE::pub:spki:der$$',
  '$$SCONE::c:crt:der$$',
  '$$SCONE::c:privatekey:der$$',
  '$$SCONE::c:privatekey:pkcs8:der$$',
  '$$SCONE::c:pkcs12-with-private-key$$',
] as const;

const TEXT = [
  '$$SCONE::bin:hex$$',
  '$$SCONE::bin:base64$$',
  '$$SCONE::k:pem$$',
  '$$SCONE::pub$$',
  '$$SCONE::c:crt$$',
  '$$SCONE::c:chain$$',
] as const;

function codes(text: string): string[] {
  const result = parseSession(text);
  return result.ok ? [] : result.issues.map((i) => i.code);
}

describe('raw byte formats in text contexts are refused at upload', () => {
  for (const where of ['command', 'environment', 'pwd'] as const) {
    for (const ph of RAW) {
      test(`${ph} in ${where} → CAS_POLICY_RAW_FORMAT_IN_TEXT naming it`, () => {
        const result = parseSession(withPlaceholder(where, ph));
        assert.equal(result.ok, false);
        const issue = result.ok ? undefined : result.issues[0];
        assert.equal(issue?.code, 'CAS_POLICY_RAW_FORMAT_IN_TEXT');
        assert.ok(issue?.message.includes(ph), 'the message names the placeholder');
        assert.match(issue?.path ?? '', new RegExp(`^services\\[0\\]\\.${where}`));
      });
    }
    for (const ph of TEXT) {
      test(`${ph} in ${where} is accepted`, () => {
        assert.deepEqual(codes(withPlaceholder(where, ph)), []);
      });
    }
  }
  for (const ph of RAW) {
    test(`${ph} in an injected file is accepted (a file holds bytes)`, () => {
      assert.deepEqual(codes(withPlaceholder('file', ph)), []);
    });
  }
});
