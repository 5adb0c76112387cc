import {
  closeSync,
  fchmodSync,
  lstatSync,
  mkdirSync,
  openSync,
  rmdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, isAbsolute, normalize } from 'node:path';
import { CasError } from '../errors/cas-error.js';

/** A file to materialise. */
export interface InjectionFile {
  readonly path: string;
  readonly mode: number;
  readonly content: Uint8Array;
}

/** Files written for one run; `cleanup` removes exactly what was created. */
export interface MaterialisedFiles {
  readonly paths: readonly string[];
  /** Synchronous, idempotent: safe in `exit` handlers and on every error path. */
  cleanup(): void;
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes the injection files at their absolute paths before the program starts.
 *
 * Mechanism (see `docs/cas-run.md`): each file is created in place with `O_CREAT|O_EXCL`
 * and then `fchmod`ed to its exact mode (the umask does not apply); missing parent
 * directories are created with mode 0700. A path that already exists is refused: cas-run never
 * overwrites, and so never deletes, a file it did not create. `cleanup` unlinks the files and
 * removes the directories it created (when empty), deepest first. The caller runs it when the
 * program exits, on every signal it forwards and in its `exit` handler; only a SIGKILL of
 * cas-run itself can leave files behind, and the next run then refuses that path.
 *
 * @throws CAS_LAUNCHER_FILE_EXISTS, CAS_LAUNCHER_FILE_WRITE (after removing what it wrote).
 */
export function materialiseFiles(files: readonly InjectionFile[]): MaterialisedFiles {
  const written: string[] = [];
  const createdDirs: string[] = [];
  let cleaned = false;
  const cleanup = (): void => {
    if (cleaned) return;
    cleaned = true;
    for (const path of [...written].reverse()) {
      try {
        unlinkSync(path);
      } catch {
        // already gone (the program may remove its own files)
      }
    }
    for (const dir of [...createdDirs].reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // not empty: the program created files of its own there; those are not ours to delete
      }
    }
  };
  try {
    for (const file of files) {
      if (!isAbsolute(file.path)) {
        throw new CasError(
          'CAS_LAUNCHER_FILE_WRITE',
          `injection file path ${file.path} is not absolute; the session must give absolute paths`,
          { details: { path: file.path } },
        );
      }
      const path = normalize(file.path);
      const missing: string[] = [];
      for (let dir = dirname(path); !exists(dir); dir = dirname(dir)) missing.unshift(dir);
      for (const dir of missing) {
        mkdirSync(dir, { mode: 0o700 });
        createdDirs.push(dir);
      }
      let fd: number;
      try {
        fd = openSync(path, 'wx', 0o600);
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new CasError(
            'CAS_LAUNCHER_FILE_EXISTS',
            `${path} already exists; cas-run does not overwrite files it did not create (remove it if a killed run left it behind)`,
            { details: { path } },
          );
        }
        throw cause;
      }
      written.push(path);
      try {
        const content = Buffer.from(file.content);
        let offset = 0;
        while (offset < content.length) offset += writeSync(fd, content, offset);
        fchmodSync(fd, file.mode & 0o7777);
      } finally {
        closeSync(fd);
      }
    }
  } catch (error) {
    cleanup();
    if (error instanceof CasError) throw error;
    throw new CasError(
      'CAS_LAUNCHER_FILE_WRITE',
      `cannot write the injection files: ${(error as Error).message} (the session must use paths cas-run can create)`,
      { cause: error },
    );
  }
  return { paths: [...written], cleanup };
}
