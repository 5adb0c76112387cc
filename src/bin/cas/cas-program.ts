import { Command } from 'commander';
import { addDatabaseKeyOptions } from '../../cli/database-key-options.js';
import { computeMeasurement } from '../../core/measurement.js';
import { casPackage } from './cas-package.js';
import { devCommand } from './dev-command.js';
import { out } from './out.js';
import { provisionCommand } from './provision-command.js';
import { serveCommand } from './serve-command.js';
import { snapshotCommand } from './snapshot-command.js';

/**
 * The `cas` command line: `serve` (the default), `provision`, `dev`, `snapshot` and
 * `measurement`, with the global `-c, --config <FILE>`. Throws CommanderError instead of
 * exiting, so the entry decides the exit code.
 */
export function casProgram(): Command {
  const program = new Command('cas')
    .description('Configuration and Attestation Service (CAS) server')
    .option('-c, --config <FILE>', 'availability config (TOML); default ./cas.toml if present')
    .version(casPackage.version, '--version')
    .exitOverride();
  const configFile = (): string | undefined => program.opts<{ config?: string }>().config;
  program
    .command('serve', { isDefault: true })
    .description('run the server')
    .action(() => serveCommand(configFile()));
  const provision = program
    .command('provision')
    .description('self-provision with the given owner, then serve')
    .requiredOption('--owner-config <FILE>', 'owner config (TOML, JSON or YAML)')
    .requiredOption('--owner-identity <CERT>', 'PEM certificate of the owner')
    .option('--skip-if-already-provisioned', 'do nothing when the CAS already has an owner');
  addDatabaseKeyOptions(provision).action((opts: Parameters<typeof provisionCommand>[1]) =>
    provisionCommand(configFile(), opts),
  );
  program
    .command('dev')
    .description('development CAS + LAS in ./.cas-dev, owned and attested by your CLI identity')
    .option('--las-listen <ADDR>', 'address of the LAS', '127.0.0.1:18766')
    .action((opts: { lasListen: string }) => devCommand(configFile(), opts.lasListen));
  program
    .command('snapshot')
    .description('copy the database and its key store into a timestamped folder (CAS stopped)')
    .option('--dir <DIR>', 'where (default: [snapshots] dir)')
    .action((opts: { dir?: string }) => snapshotCommand(configFile(), opts));
  program
    .command('measurement')
    .description("print this build's measurement (64 hex)")
    .action(() => out(computeMeasurement(casPackage.root)));
  return program;
}
