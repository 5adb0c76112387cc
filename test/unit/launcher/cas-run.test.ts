import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runBin } from '../../helpers/bin.js';

const dir = mkdtempSync(join(tmpdir(), 'cas-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return path;
}

const noConfig = { SCONE_CONFIG_ID: '' };

test('--hash prints the SHA-256 of the program file', async () => {
  const path = script('h.sh', 'echo hi');
  const r = await runBin('cas-run', ['--hash', path]);
  assert.equal(r.code, 0, r.stderr);
  const expected = createHash('sha256').update('#!/bin/sh\necho hi\n').digest('hex');
  assert.equal(r.stdout.trim(), expected);
});

test('--hash of a missing program is a coded error', async () => {
  const r = await runBin('cas-run', ['--hash', join(dir, 'missing')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /CAS_LAUNCHER_PROGRAM_NOT_FOUND/);
});

test('usage errors', async () => {
  for (const args of [[], ['--hash'], ['--bogus', 'x']]) {
    const r = await runBin('cas-run', args);
    assert.equal(r.code, 1, args.join(' '));
    assert.ok(r.stderr.includes('CAS_LAUNCHER_USAGE'), r.stderr);
  }
});

test('without SCONE_CONFIG_ID the program runs unchanged, with a warning, and its exit code passes through', async () => {
  const path = script('e.sh', 'echo "args:$*"; echo "env:$HOSTVAR"; exit 7');
  const r = await runBin('cas-run', ['--', path, 'a', 'b'], {
    env: { ...noConfig, HOSTVAR: 'kept' },
  });
  assert.equal(r.code, 7);
  assert.match(r.stdout, /args:a b/);
  assert.match(r.stdout, /env:kept/);
  assert.match(r.stderr, /SCONE_CONFIG_ID is not set/);
});

test('a signal that ends the program is re-raised by cas-run', async () => {
  const path = script('k.sh', 'kill -TERM $$');
  const r = await runBin('cas-run', [path], { env: noConfig });
  assert.equal(r.signal, 'SIGTERM');
});

test('signals sent to cas-run reach the program', async () => {
  const path = script(
    't.sh',
    'trap "echo got-term; exit 3" TERM; echo ready; while true; do sleep 0.05; done',
  );
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/bin/cas-run.ts', path], {
    env: { ...process.env, ...noConfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
  });
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.equal(code, 3);
  assert.match(out, /got-term/);
});

test('SCONE_MODE=hw is refused before anything starts', async () => {
  const path = script('hw.sh', 'echo started');
  const r = await runBin('cas-run', [path], {
    env: { SCONE_CONFIG_ID: 's/svc', SCONE_MODE: 'HW' },
  });
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.stdout, /started/);
  assert.ok(r.stderr.includes('CAS_LAUNCHER_MODE_UNSUPPORTED'), r.stderr);
});

test('an unreachable CAS is refused before the program starts', async () => {
  const path = script('u.sh', 'echo started');
  const r = await runBin('cas-run', [path], {
    env: { SCONE_CONFIG_ID: 's/svc', SCONE_MODE: 'sim', SCONE_CAS_ADDR: '127.0.0.1:1' },
  });
  assert.equal(r.code, 4);
  assert.doesNotMatch(r.stdout, /started/);
  assert.match(r.stderr, /CAS_LAUNCHER_CAS_UNREACHABLE/);
  assert.match(r.stderr, /WARNING: neither SCONE_CAS_KEY_HASH/);
});
