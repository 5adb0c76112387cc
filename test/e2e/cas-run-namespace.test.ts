import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { canMakeMountNamespace } from '../../src/launcher/isolation.js';

const root = process.cwd();
const canNamespace = canMakeMountNamespace();
const dir = mkdtempSync(join(tmpdir(), 'cas-run-ns-test-'));
// The helper stages under $TMPDIR; give it a folder of this file's own, so that other test
// files running at the same time (cas-run-namespace-cas) cannot be mistaken for leftovers.
const stagingParent = join(dir, 'tmp');
mkdirSync(stagingParent, { mode: 0o700 });
after(() => rmSync(dir, { recursive: true, force: true }));

// The parent half of cas-run (runInNamespace), fed a configuration on stdin instead of a CAS:
// it re-runs src/bin/cas-run.ts as the in-namespace helper, exactly as cas-run does.
const driver = join(dir, 'driver.mts');
writeFileSync(
  driver,
  `import { readFileSync } from 'node:fs';
import { runInNamespace } from ${JSON.stringify(pathToFileURL(join(root, 'src/launcher/run-in-namespace.ts')).href)};
import { reRaise } from ${JSON.stringify(pathToFileURL(join(root, 'src/launcher/re-raise.ts')).href)};
const req = JSON.parse(readFileSync(0, 'utf8'));
const files = req.files.map((f) => ({ path: f.path, mode: f.mode, content: Buffer.from(f.content) }));
try {
  const o = await runInNamespace(req.child, files, ${JSON.stringify(join(root, 'src/bin/cas-run.ts'))});
  if (o.signal !== null) reRaise(o.signal);
  process.exitCode = o.code ?? 1;
} catch (e) {
  process.stderr.write('Error: ' + e.message + ' (' + e.code + ')\\n');
  process.exitCode = 1;
}
`,
);

interface Started {
  readonly proc: ChildProcess;
  readonly out: () => string;
  readonly err: () => string;
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(
  body: string,
  files: Array<{ path: string; mode: number; content: string }>,
): Started {
  const program = join(dir, `p${Math.random().toString(16).slice(2)}.sh`);
  writeFileSync(program, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  const proc = spawn(process.execPath, ['--import', 'tsx', driver], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, TMPDIR: stagingParent },
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('close', (code, signal) => resolve({ code, signal })),
  );
  const child = { program, args: [], env: { PATH: '/usr/bin:/bin' }, cwd: dir };
  proc.stdin.end(JSON.stringify({ child, files }));
  return { proc, out: () => out, err: () => err, ended };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const shmEntries = (): string[] =>
  existsSync('/dev/shm') ? readdirSync('/dev/shm').filter((n) => n.startsWith('cas-run')) : [];
const stagingEntries = (): string[] =>
  readdirSync(stagingParent).filter((n) => n.startsWith('cas-run-ns-'));
/**
 * Waits until /dev/shm holds no cas-run entry that was not there before: another test file may
 * use the directory fallback at the same moment, and its entry goes when its program ends.
 */
const noNewShmEntries = (before: readonly string[]): Promise<void> =>
  until(
    () => shmEntries().every((n) => before.includes(n)),
    'no cas-run entry on /dev/shm that this test could have left',
  );

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe(
  'cas-run injection files in a private mount namespace',
  {
    skip: canNamespace
      ? false
      : 'unshare --mount is not permitted here (needs root and util-linux): namespace tests skipped',
  },
  () => {
    const waitingProgram = (files: string[]) =>
      [
        'trap "echo got-term; exit 3" TERM',
        ...files.map((f) => `echo "file $(stat -c '%a' ${f}) $(cat ${f})"`),
        'echo "pid $$"',
        'echo ready',
        'while true; do sleep 0.05; done',
      ].join('\n');

    test('the program sees its files with their modes and content; the host sees none; signals and exit codes pass through; nothing remains', async () => {
      const id = Math.random().toString(16).slice(2);
      const missing = `/run/cas-ns-test-${id}`;
      const existing = join(dir, `existing-${id}`);
      mkdirSync(existing);
      writeFileSync(join(existing, 'other'), 'kept');
      const paths = [
        join(missing, 'conf', 'app.conf'),
        join(missing, 'ca.crt'),
        join(existing, 'app.key'),
      ];
      const shmBefore = shmEntries();
      const run = start(waitingProgram(paths), [
        { path: paths[0]!, mode: 0o600, content: 'secret-one' },
        { path: paths[1]!, mode: 0o644, content: 'public-two' },
        { path: paths[2]!, mode: 0o400, content: 'secret-three' },
      ]);
      await until(() => run.out().includes('ready'), `the program (${run.err()})`);
      assert.match(run.out(), new RegExp(`file 600 secret-one`));
      assert.match(run.out(), new RegExp(`file 644 public-two`));
      assert.match(run.out(), new RegExp(`file 400 secret-three`));
      // From outside the namespace: the new directory is empty, the placeholder has no content.
      assert.ok(!existsSync(missing) || readdirSync(missing).length === 0, 'host sees no files');
      assert.equal(statSync(paths[2]!).size, 0, 'the host sees an empty placeholder only');
      await noNewShmEntries(shmBefore);
      run.proc.kill('SIGTERM');
      const end = await run.ended;
      assert.equal(end.code, 3, run.err());
      assert.match(run.out(), /got-term/);
      for (const p of paths) assert.ok(!existsSync(p), `${p} is removed`);
      assert.ok(!existsSync(missing), 'the mount point is removed');
      assert.deepEqual(readdirSync(existing), ['other'], 'the existing folder is left as it was');
      assert.deepEqual(stagingEntries(), []);
    });

    test('after kill -9 of cas-run, the program ends and nothing remains anywhere', async () => {
      const id = Math.random().toString(16).slice(2);
      const missing = `/run/cas-ns-test-${id}`;
      const existing = join(dir, `existing-${id}`);
      mkdirSync(existing);
      const paths = [join(missing, 'k.pem'), join(existing, 'k2.pem')];
      const shmBefore = shmEntries();
      const run = start(waitingProgram(paths), [
        { path: paths[0]!, mode: 0o600, content: 'secret-k' },
        { path: paths[1]!, mode: 0o600, content: 'secret-k2' },
      ]);
      await until(() => run.out().includes('ready'), `the program (${run.err()})`);
      const pid = Number(/pid (\d+)/.exec(run.out())![1]);
      run.proc.kill('SIGKILL');
      await run.ended;
      await until(() => !alive(pid), 'the program to end');
      await until(() => !existsSync(missing) && !existsSync(paths[1]!), 'the mount points to go');
      await noNewShmEntries(shmBefore);
      assert.deepEqual(stagingEntries(), []);
    });

    test('a fatal signal of the program is re-raised', async () => {
      const run = start('kill -USR1 $$', [
        { path: `/run/cas-ns-test-${Date.now()}/x`, mode: 0o600, content: 'x' },
      ]);
      const end = await run.ended;
      assert.equal(end.signal, 'SIGUSR1', run.err());
    });

    test('an existing file is refused and the program does not run', async () => {
      const existing = join(dir, 'taken');
      writeFileSync(existing, 'not ours');
      const run = start('echo ran', [{ path: existing, mode: 0o600, content: 'secret' }]);
      const end = await run.ended;
      assert.equal(end.code, 1);
      assert.match(run.err(), /CAS_LAUNCHER_FILE_EXISTS/);
      assert.doesNotMatch(run.out(), /ran/);
      assert.deepEqual(stagingEntries(), []);
    });
  },
);
