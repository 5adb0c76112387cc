import {
  mkdirSync,
  mkdtempSync,
  rmdirSync,
  rmSync,
  statfsSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { asWriteError, injectionPath, pathExists, writeNewFile } from './file-write.js';

/** A file to materialise. */
export interface InjectionFile {
  readonly path: string;
  readonly mode: number;
  readonly content: Uint8Array;
}

/** Files written for one run; `cleanup` removes exactly what was created. */
export interface MaterialisedFiles {
  readonly paths: readonly string[];
  /** How many of them live in a private directory on a tmpfs (never on a disk). */
  readonly onTmpfs: number;
  /** Synchronous, idempotent: safe in `exit` handlers and on every error path. */
  cleanup(): void;
}

/** Options of {@link materialiseFiles}. */
export interface MaterialiseOptions {
  /**
   * A tmpfs under which private per-run directories are made; null: none. Default: `/dev/shm`
   * when it is a tmpfs.
   */
  readonly tmpfsRoot?: string | null;
}

const TMPFS_MAGIC = 0x01021994;

/** `/dev/shm` when it is a tmpfs, else null. */
export function defaultTmpfsRoot(): string | null {
  try {
    return statfsSync('/dev/shm').type === TMPFS_MAGIC ? '/dev/shm' : null;
  } catch {
    return null;
  }
}

/**
 * Writes the injection files at their absolute paths before the program starts.
 *
 * Mechanism (see `docs/cas-run.md`): each file is created at its path with `O_CREAT|O_EXCL`
 * and then `fchmod`ed to its exact mode (the umask does not apply). When its directory does
 * not exist, the topmost missing directory is made a symbolic link to a private 0700
 * directory on a tmpfs (`tmpfsRoot`), so the file never reaches a disk; without a tmpfs the
 * missing directories are created with mode 0700. A file in an existing directory is written
 * there. A path that already exists is refused: cas-run never
 * overwrites, and so never deletes, a file it did not create. `cleanup` unlinks the files and
 * removes the directories it created (when empty), deepest first. The caller runs it when the
 * program exits, on every signal it forwards and in its `exit` handler; only a SIGKILL of
 * cas-run itself can leave files behind, and the next run then refuses that path.
 *
 * @throws CAS_LAUNCHER_FILE_EXISTS, CAS_LAUNCHER_FILE_WRITE (after removing what it wrote).
 */
export function materialiseFiles(
  files: readonly InjectionFile[],
  options: MaterialiseOptions = {},
): MaterialisedFiles {
  const tmpfsRoot = options.tmpfsRoot === undefined ? defaultTmpfsRoot() : options.tmpfsRoot;
  const written: string[] = [];
  const createdDirs: string[] = [];
  const links: Array<{ link: string; target: string }> = [];
  let onTmpfs = 0;
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
    // A private tmpfs directory exists only for this run: it goes with everything in it.
    for (const { link, target } of [...links].reverse()) {
      try {
        unlinkSync(link);
      } catch {
        // already gone
      }
      rmSync(target, { recursive: true, force: true });
    }
  };
  try {
    for (const file of files) {
      const path = injectionPath(file.path);
      const missing: string[] = [];
      for (let dir = dirname(path); !pathExists(dir); dir = dirname(dir)) missing.unshift(dir);
      const top = missing.shift();
      if (top !== undefined && tmpfsRoot !== null) {
        // The top missing directory becomes a link to a private (0700) directory on the tmpfs,
        // so the file never reaches a disk and no existing directory is hidden or changed.
        const target = mkdtempSync(join(tmpfsRoot, 'cas-run-'));
        symlinkSync(target, top);
        links.push({ link: top, target });
      } else if (top !== undefined) {
        missing.unshift(top);
      }
      for (const dir of missing) {
        mkdirSync(dir, { mode: 0o700 });
        createdDirs.push(dir);
      }
      if (links.some((l) => path.startsWith(`${l.link}/`))) onTmpfs += 1;
      writeNewFile(path, file.content, file.mode, (created) => written.push(created));
    }
  } catch (error) {
    cleanup();
    throw asWriteError(error);
  }
  return { paths: [...written], onTmpfs, cleanup };
}
