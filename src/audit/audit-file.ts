import { open, readFile } from 'node:fs/promises';
import { CasError } from '../errors/cas-error.js';

/**
 * Appends one line to the audit file and flushes it to disk (`fdatasync`) before returning,
 * so an event is durable before the operation it records commits.
 *
 * @throws CAS_AUDIT_WRITE_FAILED when the line cannot be written or flushed.
 */
export async function appendDurably(path: string, line: string): Promise<void> {
  try {
    const file = await open(path, 'a', 0o600);
    try {
      await file.appendFile(`${line}\n`, 'utf8');
      await file.datasync();
    } finally {
      await file.close();
    }
  } catch (cause) {
    throw new CasError(
      'CAS_AUDIT_WRITE_FAILED',
      `cannot write the audit log ${path} (${(cause as NodeJS.ErrnoException).code ?? 'I/O error'}); the operation was not done`,
      { cause },
    );
  }
}

/**
 * The tail of the audit file: its last line, and the last line that is not `aborted` (whose
 * seq is the highest, since `aborted` lines repeat an earlier seq), with all its lines.
 * Undefined when the file is absent or empty.
 */
export async function tailOf(
  path: string,
  isAborted: (line: string) => boolean,
): Promise<
  | { readonly last: string; readonly lastEvent: string | undefined; readonly lines: string[] }
  | undefined
> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CasError('CAS_AUDIT_WRITE_FAILED', `cannot read the audit log ${path}`, {
      cause: error,
    });
  }
  const lines = text.split('\n').filter((l) => l.length > 0);
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  return { last, lastEvent: lines.findLast((l) => !isAborted(l)), lines };
}
