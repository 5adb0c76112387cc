import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { defineCommand, type AnyCommandSpec } from '../../../src/cli/command.js';
import { CasError } from '../../../src/errors/cas-error.js';
import { cli } from './fake-io.js';
import { tempDir } from '../../helpers/temp-dir.js';

function registry(run: () => Promise<void>) {
  const boom = defineCommand({ path: ['test', 'boom'], summary: 'fails', run });
  return { groups: { test: 'test commands' }, commands: [boom as AnyCommandSpec] };
}

test('usage errors are coded, exit 1 and never show a stack', async (t) => {
  const env = { SCONE_CLI_CONFIG: join(tempDir(t), 'config.json') };
  const cases = [
    { argv: ['bogus'], message: "unknown command 'bogus'" },
    { argv: ['self', 'show', '--nope'], message: "unknown option '--nope'" },
    { argv: ['self', 'show', 'extra'], message: 'too many arguments' },
    { argv: ['cert', 'show-key-hash'], message: "missing required argument 'FILE'" },
    { argv: ['self'], message: 'missing command' },
    { argv: [], message: 'missing command' },
  ];
  for (const { argv, message } of cases) {
    const run = await cli(argv, { env });
    assert.equal(run.code, 1, argv.join(' '));
    assert.match(run.stderr, /^(Usage:[\s\S]*\n)?Error: .*\(CAS_CLI_USAGE\)\n$/, argv.join(' '));
    assert.ok(run.stderr.includes(message), `${argv.join(' ')}: ${run.stderr}`);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  }
});

test('--help prints usage to stdout and exits 0', async () => {
  const run = await cli(['--help']);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /Usage: scone/);
  assert.equal(run.stderr, '');
});

test('a coded error prints Error and Caused by lines and its exit code', async () => {
  const inner = new CasError('CAS_CLI_STATE_UNREADABLE', 'inner problem');
  const run = await cli(['test', 'boom'], {
    registry: registry(() =>
      Promise.reject(
        new CasError('CAS_CLI_CAS_UNKNOWN', 'outer problem', {
          cause: new Error('middle', { cause: inner }),
        }),
      ),
    ),
  });
  assert.equal(run.code, 2);
  assert.equal(
    run.stderr,
    'Error: outer problem (CAS_CLI_CAS_UNKNOWN)\nCaused by: middle\nCaused by: inner problem (CAS_CLI_STATE_UNREADABLE)\n',
  );
});

test('--json also prints the error as JSON on stdout', async () => {
  const run = await cli(['test', 'boom', '--json'], {
    registry: registry(() =>
      Promise.reject(new CasError('CAS_CLI_SESSION_INVALID', 'bad', { details: { n: 1 } })),
    ),
  });
  assert.equal(run.code, 3);
  assert.deepEqual(JSON.parse(run.stdout), {
    error: { code: 'CAS_CLI_SESSION_INVALID', message: 'bad', details: { n: 1 }, causes: [] },
  });
});

test('a bug is reported as CAS_INTERNAL with exit 4; the stack only with SCONE_CLI_DEBUG=1', async () => {
  const bug = registry(() => Promise.reject(new TypeError('secret detail in a bug')));
  const quiet = await cli(['test', 'boom'], { registry: bug });
  assert.equal(quiet.code, 4);
  assert.equal(quiet.stderr, 'Error: internal error (CAS_INTERNAL)\n');
  const debug = await cli(['test', 'boom'], { registry: bug, env: { SCONE_CLI_DEBUG: '1' } });
  assert.equal(debug.code, 4);
  assert.match(debug.stderr, /TypeError: secret detail in a bug\n\s+at /);
});

test('commands run and print in text and JSON', async (t) => {
  const env = { SCONE_CLI_CONFIG: join(tempDir(t), 'config.json') };
  const text = await cli(['self', 'show-key-hash'], { env });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^[1-9A-HJ-NP-Za-km-z]{45,52}\n$/);
  const json = await cli(['self', 'show-key-hash', '--json'], { env });
  assert.deepEqual(JSON.parse(json.stdout), { key_hash: text.stdout.trim() });
});

test('a command in an undeclared group is a bug, reported without a stack', async () => {
  const spec = defineCommand({
    path: ['nogroup', 'x'],
    summary: 'x',
    run: () => Promise.resolve(),
  });
  const run = await cli(['nogroup', 'x'], {
    registry: { groups: {}, commands: [spec] },
  });
  assert.equal(run.code, 4);
  assert.equal(run.stderr, 'Error: internal error (CAS_INTERNAL)\n');
});

test('every registered command is in a declared group and takes --json', async () => {
  const { sconeCommands } = await import('../../../src/cli/commands/index.js');
  for (const spec of sconeCommands.commands) {
    assert.ok(Object.hasOwn(sconeCommands.groups, spec.path[0]), spec.path.join(' '));
    const help = await cli([...spec.path, '--help']);
    assert.equal(help.code, 0, spec.path.join(' '));
    if (spec.output !== false) assert.match(help.stdout, /--json/, spec.path.join(' '));
  }
});
