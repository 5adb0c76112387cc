import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { parse } from 'yaml';
import { generateIdentity } from '../../../src/crypto/identity.js';
import { parseSession } from '../../../src/policy/parse-session.js';
import { sessionHash } from '../../../src/policy/session-hash.js';
import { withCreator } from '../../../src/policy/with-creator.js';
import { cli } from './fake-io.js';
import { tempDir } from '../../helpers/temp-dir.js';

const MRENCLAVE = 'ab'.repeat(32);
const VALID = `name: demo
version: "0.3.10"
services:
  - name: app
    command: /bin/app --port $PORT
    attestation:
      - mrenclave: ["${MRENCLAVE}"]
`;
// The same session with keys in another order: the hash depends on the meaning only.
const REORDERED = `version: "0.3.10"
services:
  - attestation:
      - mrenclave: ["${MRENCLAVE}"]
    command: /bin/app --port \${PORT}
    name: app
name: demo
`;
const INVALID = `name: demo
version: "0.3.10"
colour: blue
services:
  - name: app
    command: /bin/app
    attestation:
      - mrenclave: ["not-hex"]
`;

function setup(t: TestContext) {
  const dir = tempDir(t);
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  return { dir, file, env: { SCONE_CLI_CONFIG: join(dir, 'config.json') } };
}

function expectedSession(text: string, vars: Record<string, string>) {
  const result = parseSession(text, { vars });
  assert.ok(result.ok);
  return result.session;
}

test('session check prints the normalised session as YAML, or JSON with --json', async (t) => {
  const { file, env } = setup(t);
  const path = file('s.yaml', VALID);
  const run = await cli(['session', 'check', path, '-e', 'PORT=8080'], { env });
  assert.equal(run.code, 0, run.stderr);
  const session = expectedSession(VALID, { PORT: '8080' });
  assert.deepEqual(parse(run.stdout), JSON.parse(JSON.stringify(session)));
  const again = await cli(['session', 'check', file('n.yaml', run.stdout)], { env });
  assert.equal(again.code, 0, 'the printed session checks again');
  const json = await cli(['session', 'check', path, '-e', 'PORT=8080', '--json'], { env });
  const body = JSON.parse(json.stdout) as { ok: boolean; session: unknown; warnings: unknown[] };
  assert.equal(body.ok, true);
  assert.deepEqual(body.session, JSON.parse(JSON.stringify(session)));
});

test('session check lists every problem and exits 3', async (t) => {
  const { file, env } = setup(t);
  const path = file('bad.yaml', INVALID);
  const run = await cli(['session', 'check', path], { env });
  assert.equal(run.code, 3);
  const lines = run.stderr.trimEnd().split('\n');
  const issues = lines.filter((l) => l.startsWith(`${path}:`));
  assert.ok(issues.length >= 2, run.stderr);
  assert.ok(
    issues.some((l) => l.startsWith(`${path}:3:1: `) && l.includes('colour')),
    run.stderr,
  );
  assert.ok(
    issues.some((l) => l.includes('mrenclave')),
    run.stderr,
  );
  assert.match(
    lines.at(-1)!,
    /^Error: .*bad\.yaml: \d+ problems found; nothing was done \(CAS_CLI_SESSION_INVALID\)$/,
  );
  assert.equal(run.stdout, '');
  const json = await cli(['session', 'check', path, '--json'], { env });
  assert.equal(json.code, 3);
  const body = JSON.parse(json.stdout) as {
    error: { code: string; details: { issues: { code: string; line: number; column: number }[] } };
  };
  assert.equal(body.error.code, 'CAS_CLI_SESSION_INVALID');
  assert.equal(body.error.details.issues.length, issues.length);
  assert.ok(
    body.error.details.issues.every(
      (i) => i.line > 0 && i.column > 0 && i.code.startsWith('CAS_POLICY_'),
    ),
  );
});

test('template variables: -e wins over --use-env; an unset one is an error naming it', async (t) => {
  const { file, env } = setup(t);
  const path = file('s.yaml', VALID);
  const missing = await cli(['session', 'check', path], { env });
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /s\.yaml:5:\d+: CAS_POLICY_TEMPLATE_VARIABLE_MISSING.*PORT/);
  const fromEnv = await cli(['session', 'check', path, '--use-env', '--json'], {
    env: { ...env, PORT: '1' },
  });
  assert.equal(fromEnv.code, 0, fromEnv.stderr);
  const both = await cli(['session', 'check', path, '--use-env', '-e', 'PORT=2', '--json'], {
    env: { ...env, PORT: '1' },
  });
  const command = (r: { stdout: string }) =>
    (JSON.parse(r.stdout) as { session: { services: { command: string[] }[] } }).session
      .services[0]!.command;
  assert.deepEqual(command(fromEnv), ['/bin/app', '--port', '1']);
  assert.deepEqual(command(both), ['/bin/app', '--port', '2']);
  const noUseEnv = await cli(['session', 'check', path], { env: { ...env, PORT: '1' } });
  assert.equal(noUseEnv.code, 3, 'the environment is used only with --use-env');
  const withEquals = await cli(['session', 'check', path, '-e', 'PORT=a=b', '--json'], { env });
  assert.deepEqual(command(withEquals), ['/bin/app', '--port', 'a=b']);
});

test('bad -e syntax and unreadable files are usage/local errors (exit 1)', async (t) => {
  const { dir, file, env } = setup(t);
  const path = file('s.yaml', VALID);
  const cases = [
    { argv: ['-e', 'PORT'], code: 'CAS_CLI_USAGE', text: '-e PORT: expected VAR=VALUE' },
    { argv: ['-e', '=1'], code: 'CAS_CLI_USAGE', text: 'is not a variable name' },
    { argv: ['-e', '1X=1'], code: 'CAS_CLI_USAGE', text: '"1X" is not a variable name' },
    { argv: ['-e', 'hunter2 secret'], code: 'CAS_CLI_USAGE', text: '-e: expected VAR=VALUE' },
  ];
  for (const command of ['check', 'calculate-hash']) {
    for (const c of cases) {
      const run = await cli(['session', command, path, ...c.argv], { env });
      assert.equal(run.code, 1, c.argv.join(' '));
      assert.ok(run.stderr.includes(c.text) && run.stderr.includes(c.code), run.stderr);
      assert.ok(!run.stderr.includes('hunter2'), 'a value is never echoed');
    }
    const missing = await cli(['session', command, join(dir, 'nope.yaml')], { env });
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /^Error: cannot read .*nope\.yaml \(CAS_CLI_FILE_UNREADABLE\)\nCaused by: ENOENT/,
    );
  }
});

test('session calculate-hash prints the hash last; key order does not matter', async (t) => {
  const { file, env } = setup(t);
  const a = await cli(['session', 'calculate-hash', file('a.yaml', VALID), '-e', 'PORT=1'], {
    env,
  });
  const b = await cli(['session', 'calculate-hash', file('b.yaml', REORDERED), '-e', 'PORT=1'], {
    env,
  });
  assert.equal(a.code, 0, a.stderr);
  const hash = a.stdout.trimEnd().split('\n').at(-1)!;
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.equal(hash, sessionHash(expectedSession(VALID, { PORT: '1' })));
  assert.equal(b.stdout, a.stdout);
  assert.match(a.stderr, /^Warning: no creator/m);
  const other = await cli(['session', 'calculate-hash', file('a.yaml', VALID), '-e', 'PORT=2'], {
    env,
  });
  assert.notEqual(other.stdout, a.stdout);
});

test('--with-self-as-creator tls hashes with the CLI identity as creator', async (t) => {
  const { dir, file, env } = setup(t);
  const path = file('s.yaml', VALID);
  const cert = (await cli(['self', 'show-certificate'], { env })).stdout;
  const run = await cli(
    ['session', 'calculate-hash', path, '-e', 'PORT=1', '--with-self-as-creator', 'tls'],
    {
      env,
    },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /no creator/);
  const session = expectedSession(VALID, { PORT: '1' });
  assert.equal(run.stdout, `${sessionHash(withCreator(session, cert))}\n`);
  // --identity FILE changes the creator, hence the hash.
  const id = await generateIdentity();
  const idFile = join(dir, 'id.pem');
  writeFileSync(idFile, id.toPem());
  const json = await cli(
    [
      'session',
      'calculate-hash',
      path,
      '-e',
      'PORT=1',
      '--with-self-as-creator',
      'tls',
      '--identity',
      idFile,
      '--json',
    ],
    { env },
  );
  assert.deepEqual(JSON.parse(json.stdout), {
    hash: sessionHash(withCreator(session, id.certPem)),
    name: 'demo',
    creator_key_hash: id.keyHash,
  });
  const signer = await cli(
    ['session', 'calculate-hash', path, '--with-self-as-creator', 'signer'],
    { env },
  );
  assert.equal(signer.code, 1);
  assert.match(signer.stderr, /only "tls" is supported so far \(CAS_CLI_USAGE\)/);
});

test('a session file can come from stdin', async (t) => {
  const { env } = setup(t);
  const run = await cli(['session', 'calculate-hash', '-', '-e', 'PORT=1'], { env, stdin: VALID });
  assert.equal(run.stdout, `${sessionHash(expectedSession(VALID, { PORT: '1' }))}\n`);
  const bad = await cli(['session', 'check', '-'], { env, stdin: INVALID });
  assert.equal(bad.code, 3);
  assert.match(bad.stderr, /^<stdin>:3:1: /m);
});
