import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  readdirSync,
  realpathSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  chmodSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isCasError } from '../../../src/errors/cas-error.js';
import { materialiseFiles, type InjectionFile } from '../../../src/launcher/injection-files.js';

/** Without a tmpfs: every directory is created in place. */
const inPlace = (files: InjectionFile[]) => materialiseFiles(files, { tmpfsRoot: null });

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'inj-'));
}

test('files are written with their exact modes and new directories, then removed without trace', () => {
  const root = tmp();
  try {
    const files = inPlace([
      { path: join(root, 'a/b/secret.txt'), mode: 0o640, content: Buffer.from('s3cret') },
      { path: join(root, 'plain'), mode: 0o644, content: Buffer.from('x') },
    ]);
    assert.equal(readFileSync(join(root, 'a/b/secret.txt'), 'utf8'), 's3cret');
    assert.equal(statSync(join(root, 'a/b/secret.txt')).mode & 0o7777, 0o640);
    assert.equal(statSync(join(root, 'a')).mode & 0o777, 0o700);
    files.cleanup();
    files.cleanup();
    assert.ok(!existsSync(join(root, 'a')));
    assert.ok(!existsSync(join(root, 'plain')));
    assert.ok(existsSync(root));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('an existing file is never overwritten, and what was written before is removed', () => {
  const root = tmp();
  try {
    writeFileSync(join(root, 'taken'), 'user data');
    assert.throws(
      () =>
        inPlace([
          { path: join(root, 'new/first'), mode: 0o600, content: Buffer.from('1') },
          { path: join(root, 'taken'), mode: 0o600, content: Buffer.from('2') },
        ]),
      (e: unknown) => isCasError(e) && e.code === 'CAS_LAUNCHER_FILE_EXISTS',
    );
    assert.equal(readFileSync(join(root, 'taken'), 'utf8'), 'user data');
    assert.ok(!existsSync(join(root, 'new')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('relative and unwritable paths are refused with a coded error', () => {
  const root = tmp();
  try {
    assert.throws(
      () => inPlace([{ path: 'rel/file', mode: 0o600, content: Buffer.from('') }]),
      (e: unknown) => isCasError(e) && e.code === 'CAS_LAUNCHER_FILE_WRITE',
    );
    if (process.getuid?.() !== 0) {
      mkdirSync(join(root, 'ro'));
      chmodSync(join(root, 'ro'), 0o500);
      assert.throws(
        () => inPlace([{ path: join(root, 'ro/f'), mode: 0o600, content: Buffer.from('') }]),
        (e: unknown) => isCasError(e) && e.code === 'CAS_LAUNCHER_FILE_WRITE',
      );
      chmodSync(join(root, 'ro'), 0o700);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a directory the program filled is left in place, only our file goes', () => {
  const root = tmp();
  try {
    const files = inPlace([{ path: join(root, 'd/ours'), mode: 0o600, content: Buffer.from('x') }]);
    writeFileSync(join(root, 'd/theirs'), 'y');
    files.cleanup();
    assert.ok(!existsSync(join(root, 'd/ours')));
    assert.ok(existsSync(join(root, 'd/theirs')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a missing directory becomes a link to a private 0700 directory on the tmpfs, removed with everything in it', () => {
  const root = tmp();
  const shm = tmp();
  try {
    const files = materialiseFiles(
      [
        { path: join(root, 'conf/deep/a.conf'), mode: 0o600, content: Buffer.from('a') },
        { path: join(root, 'conf/b.conf'), mode: 0o640, content: Buffer.from('b') },
        { path: join(root, 'c.conf'), mode: 0o600, content: Buffer.from('c') },
      ],
      { tmpfsRoot: shm },
    );
    assert.equal(files.onTmpfs, 2);
    assert.ok(lstatSync(join(root, 'conf')).isSymbolicLink());
    const target = realpathSync(join(root, 'conf'));
    assert.ok(target.startsWith(realpathSync(shm)));
    assert.equal(statSync(target).mode & 0o777, 0o700);
    assert.equal(readFileSync(join(root, 'conf/deep/a.conf'), 'utf8'), 'a');
    assert.equal(statSync(join(root, 'conf/b.conf')).mode & 0o777, 0o640);
    writeFileSync(join(root, 'conf/program-output'), 'x');
    files.cleanup();
    assert.ok(!existsSync(join(root, 'conf')));
    assert.ok(!existsSync(target));
    assert.ok(!existsSync(join(root, 'c.conf')));
    assert.deepEqual(readdirSync(shm), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(shm, { recursive: true, force: true });
  }
});
