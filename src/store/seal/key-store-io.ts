import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Where a key-store document lives: a file beside a SQLite database, or a PostgreSQL table. */
export interface KeyStoreIo {
  /** For messages: the file path or "table cas_key_store". */
  readonly where: string;
  /** The document and its version, or undefined when there is none yet. */
  read(): Promise<{ readonly text: string; readonly version: number } | undefined>;
  /**
   * Writes the document when the stored version is still `expected` (0 = none yet); returns
   * false when another writer came first.
   */
  write(text: string, expected: number): Promise<boolean>;
}

/**
 * The key store as a file (`<db>.key-store`), written atomically (temporary file, fsync,
 * rename) with mode 0600. The SQLite lock makes this process its only writer; creation is
 * exclusive all the same.
 */
export function fileKeyStore(path: string): KeyStoreIo {
  return {
    where: path,
    async read() {
      try {
        return { text: await readFile(path, 'utf8'), version: 1 };
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async write(text, expected) {
      try {
        if (expected === 0) {
          await writeDurably(path, text);
        } else {
          const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
          await writeDurably(temporary, text);
          await rename(temporary, path);
        }
        await syncDirectory(dirname(path));
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === 'EEXIST') return false;
        throw error;
      }
    },
  };
}

/** Creates `path` exclusively (0600), writes and fsyncs it. */
async function writeDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename or a new file durable: fsync of the directory. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
