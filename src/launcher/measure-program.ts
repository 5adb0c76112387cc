import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, constants, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { CasError } from '../errors/cas-error.js';

/**
 * The `sim` measurement of a program: SHA-256 of the program file's bytes, 64 lowercase hex.
 * This is what `cas-run --hash` prints and what a session's `mrenclave` lists for `sim`
 * evidence. For a script it is the script's hash (not its interpreter's): changing one byte of
 * the script changes the measurement.
 *
 * @throws CAS_LAUNCHER_PROGRAM_NOT_FOUND when the file cannot be read.
 */
export async function measureProgram(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (cause) {
    throw new CasError('CAS_LAUNCHER_PROGRAM_NOT_FOUND', `cannot read the program ${path}`, {
      cause,
      details: { program: path },
    });
  }
  return hash.digest('hex');
}

/**
 * Resolves PROGRAM as exec would: a name with a slash is a path (relative to `cwd`), a bare
 * name is looked up in `pathEnv`. The result is absolute, so what is measured is what runs.
 *
 * @throws CAS_LAUNCHER_PROGRAM_NOT_FOUND
 */
export async function resolveProgram(
  program: string,
  pathEnv: string,
  cwd: string,
): Promise<string> {
  const candidates = program.includes('/')
    ? [isAbsolute(program) ? program : resolve(cwd, program)]
    : pathEnv
        .split(delimiter)
        .filter((dir) => dir !== '')
        .map((dir) => resolve(cwd, join(dir, program)));
  for (const candidate of candidates) {
    try {
      const info = await stat(candidate);
      if (!info.isFile()) continue;
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one: try the next directory, as exec does
    }
  }
  throw new CasError(
    'CAS_LAUNCHER_PROGRAM_NOT_FOUND',
    `program ${program} was not found or is not an executable file`,
    { details: { program } },
  );
}
