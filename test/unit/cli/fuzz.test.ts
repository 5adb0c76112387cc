// Property tests: no input to the CLI's parsers, and no command line, ends in anything but a
// coded error (never a crash, never a stack trace). `--config` is left out of the generated
// command lines: a random path would create a state file in the working directory.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseVarAssignments } from '../../../src/cli/session-input.js';
import { parseState } from '../../../src/cli/state.js';
import { parseIdentityPem } from '../../../src/crypto/identity.js';
import { CasError } from '../../../src/errors/cas-error.js';
import { cli } from './fake-io.js';
import { tempDir } from '../../helpers/temp-dir.js';

function onlyCoded(fn: () => unknown, codes: readonly string[]): void {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof CasError, `not a CasError: ${String(error)}`);
    assert.ok(codes.includes(error.code), error.code);
  }
}

test('parseState refuses any malformed text with CAS_CLI_STATE_CORRUPT only', () => {
  const json = fc.oneof(
    fc.string(),
    fc.json(),
    fc.record({ identity: fc.anything(), cas_db: fc.anything(), default_cas: fc.anything() }),
    fc.record({
      identity: fc.string(),
      cas_db: fc.dictionary(fc.string(), fc.record({ url: fc.string(), chain: fc.string() })),
    }),
  );
  fc.assert(
    fc.property(json, (value) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      onlyCoded(() => parseState(text ?? '', '/x'), ['CAS_CLI_STATE_CORRUPT']);
    }),
  );
});

test('parseIdentityPem refuses any malformed text with an identity code only', () => {
  const pemish = fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '-----BEGIN PRIVATE KEY-----\n',
          '-----END PRIVATE KEY-----\n',
          '-----BEGIN CERTIFICATE-----\n',
          '-----END CERTIFICATE-----\n',
          'MIIB\n',
        ),
        fc.base64String(),
        fc.string(),
      ),
      { maxLength: 8 },
    )
    .map((parts) => parts.join(''));
  fc.assert(
    fc.property(pemish, (text) =>
      onlyCoded(
        () => parseIdentityPem(text),
        ['CAS_CLI_IDENTITY_INVALID', 'CAS_CLI_IDENTITY_MISMATCH'],
      ),
    ),
  );
});

test('-e parsing accepts exactly NAME=VALUE', () => {
  fc.assert(
    fc.property(fc.array(fc.string(), { maxLength: 4 }), (assignments) => {
      onlyCoded(() => parseVarAssignments(assignments), ['CAS_CLI_USAGE']);
    }),
  );
  fc.assert(
    fc.property(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/), fc.string(), (name, value) => {
      assert.deepEqual({ ...parseVarAssignments([`${name}=${value}`]) }, { [name]: value });
    }),
  );
});

test('any command line exits 0-4 with no stack trace', async (t) => {
  const env = { SCONE_CLI_CONFIG: join(tempDir(t), 'config.json') };
  const word = fc.oneof(
    fc.constantFrom('self', 'show', 'cert', 'cas', 'session', 'check', 'list', 'set-default'),
    fc.constantFrom('show-key-hash', 'show-identification', '-c', '-S', '--json', '-e'),
    fc.constantFrom('calculate-hash', '--with-self-as-creator', 'tls', '--identity', '-', '--'),
    fc.string({ maxLength: 6 }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(word, { maxLength: 5 }), async (argv) => {
      const run = await cli(argv, { env, stdin: 'x' });
      assert.ok([0, 1, 2, 3].includes(run.code), `${argv.join(' ')} -> ${run.code}: ${run.stderr}`);
      assert.doesNotMatch(run.stderr, /\n\s+at /);
    }),
    { numRuns: 150 },
  );
});
