import { readFileSync } from 'node:fs';
import { parseDatabaseKey } from '../../core/provisioning/provision-cas.js';

/**
 * The database key to inject at provisioning, from `--database-key` (warned: visible to ps)
 * or `--database-key-file` (`-` reads stdin); undefined when neither is given.
 */
export async function readDatabaseKey(opts: {
  databaseKeyFile?: string;
  databaseKey?: string;
}): Promise<Uint8Array | undefined> {
  if (opts.databaseKey !== undefined) {
    process.stderr.write(
      'Warning: --database-key puts the key on the command line, where ps and shell history can see it; prefer --database-key-file\n',
    );
    return parseDatabaseKey(opts.databaseKey);
  }
  if (opts.databaseKeyFile === undefined) return undefined;
  if (opts.databaseKeyFile === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return parseDatabaseKey(Buffer.concat(chunks).toString('utf8'));
  }
  return parseDatabaseKey(readFileSync(opts.databaseKeyFile, 'utf8'));
}
