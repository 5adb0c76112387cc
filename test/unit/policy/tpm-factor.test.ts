import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSession } from '../../../src/policy/parse-session.js';
import { session } from './fixtures.js';

const P64 = (byte: string): string => byte.repeat(32);

function withVariant(variant: string): string {
  return session(`services:\n  - name: svc\n    command: /bin/app\n    attestation: ${variant}\n`);
}

describe('the tpm attestation factor', () => {
  const accepted: ReadonlyArray<[string, string, Record<string, string>]> = [
    ['one PCR', `{tpm: {pcr0: "${P64('ab')}"}}`, { pcr0: P64('ab') }],
    [
      'PCRs up to 23, hex lowercased',
      `{tpm: {pcr7: "${P64('AB')}", pcr23: "${P64('01')}"}}`,
      { pcr7: P64('ab'), pcr23: P64('01') },
    ],
  ];
  for (const [name, variant, expected] of accepted) {
    test(`accepted: ${name}`, () => {
      const result = parseSession(withVariant(variant));
      assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.issues));
      assert.deepEqual(result.session.services[0]?.attestation, [{ tpm: expected }]);
    });
  }

  const refused: ReadonlyArray<[string, string, string, string]> = [
    [
      'a SHA-384 length (96 hex)',
      `{tpm: {pcr0: "${'ab'.repeat(48)}"}}`,
      'CAS_POLICY_BAD_HEX',
      'tpm.pcr0',
    ],
    ['not hex', `{tpm: {pcr0: "${'zz'.repeat(32)}"}}`, 'CAS_POLICY_BAD_HEX', 'tpm.pcr0'],
    ['a number', `{tpm: {pcr0: 12}}`, 'CAS_POLICY_BAD_HEX', 'tpm.pcr0'],
    [
      'PCR 24 (a TPM has 24: 0..23)',
      `{tpm: {pcr24: "${P64('ab')}"}}`,
      'CAS_POLICY_UNKNOWN_KEY',
      'tpm.pcr24',
    ],
    ['no PCR (would accept any TPM)', '{tpm: {}}', 'CAS_POLICY_EMPTY_VARIANT', 'tpm'],
    ['not a map', `{tpm: "${P64('ab')}"}`, 'CAS_POLICY_WRONG_TYPE', 'tpm'],
  ];
  for (const [name, variant, code, path] of refused) {
    test(`refused: ${name} → ${code}`, () => {
      const result = parseSession(withVariant(variant));
      assert.equal(result.ok, false);
      const issue = result.ok ? undefined : result.issues[0];
      assert.equal(issue?.code, code, JSON.stringify(result.ok ? [] : result.issues));
      assert.equal(issue?.path, `services[0].attestation.${path}`);
    });
  }
});
