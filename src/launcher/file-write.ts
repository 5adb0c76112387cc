import { closeSync, fchmodSync, lstatSync, openSync, writeSync } from 'node:fs';
import { isAbsolute, normalize } from 'node:path';
import { CasError } from '../errors/cas-error.js';

/** Whether anything (a file, a directory, a dangling link) is at `path`. */
export function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The normalised absolute path of an injection file.
 *
 * @throws CAS_LAUNCHER_FILE_WRITE for a relative path.
 */
export function injectionPath(path: string): string {
  if (!isAbsolute(path)) {
    throw new CasError(
      'CAS_LAUNCHER_FILE_WRITE',
      `injection file path ${path} is not absolute; the session must give absolute paths`,
      { details: { path } },
    );
  }
  return normalize(path);
}

/**
 * Creates `path` exclusively (`O_CREAT|O_EXCL`: cas-run never overwrites, and so never
 * deletes, a file it did not create), writes `content` and `fchmod`s it to exactly `mode` (the
 * umask does not apply). `onCreated` runs as soon as the file exists, so a failed write is
 * still cleaned up.
 *
 * @throws CAS_LAUNCHER_FILE_EXISTS; other errors as thrown by node:fs.
 */
export function writeNewFile(
  path: string,
  content: Uint8Array,
  mode: number,
  onCreated: (path: string) => void = () => undefined,
): void {
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
  onCreated(path);
  try {
    const bytes = Buffer.from(content);
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
    fchmodSync(fd, mode & 0o7777);
  } finally {
    closeSync(fd);
  }
}

/** A coded error for a failure while writing the injection files (coded ones pass as they are). */
export function asWriteError(error: unknown): CasError {
  if (error instanceof CasError) return error;
  return new CasError(
    'CAS_LAUNCHER_FILE_WRITE',
    `cannot write the injection files: ${(error as Error).message} (the session must use paths cas-run can create)`,
    { cause: error },
  );
}
