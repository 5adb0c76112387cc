import type { Command } from 'commander';

/**
 * Declares `--database-key-file <FILE>` and `--database-key <HEX64>`, the owner's database key
 * injected at provisioning: the same two options on `cas provision` (the server) and `scone cas
 * provision` (the CLI), so their names and help never drift apart.
 */
export function addDatabaseKeyOptions(cmd: Command): Command {
  return cmd
    .option(
      '--database-key-file <FILE>',
      'inject the database key (64 hex) from FILE, or - for stdin',
    )
    .option(
      '--database-key <HEX64>',
      'inject the database key (visible to ps: prefer --database-key-file)',
    );
}
