import { Command, CommanderError } from 'commander';
import { CasError } from '../errors/cas-error.js';
import type { AnyCommandSpec } from './command.js';
import { createContext } from './context.js';
import { formatError } from './format-error.js';
import type { CliIo } from './io.js';
import { createOutput } from './output.js';
import { stateFilePath } from './state.js';

/** The commands to offer and the one-line description of each group. */
export interface CommandRegistry {
  readonly groups: Readonly<Record<string, string>>;
  readonly commands: readonly AnyCommandSpec[];
}

interface GlobalOptions {
  readonly config?: string;
  readonly identity?: string;
}

/**
 * Runs `scone` with `argv` (without node and script) and returns the exit code: 0 success,
 * otherwise the code of the error (`interfaces.md` §4). Never throws and never prints a stack
 * trace unless `SCONE_CLI_DEBUG=1`.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  registry: CommandRegistry,
): Promise<number> {
  try {
    let exitCode = 0;
    const program = buildProgram(io, registry, (code) => (exitCode = code));
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    return report(usageError(error), argv.includes('--json'), io);
  }
}

function buildProgram(
  io: CliIo,
  registry: CommandRegistry,
  setExitCode: (code: number) => void,
): Command {
  const program = new Command('scone')
    .description('Command line of the Configuration and Attestation Service (CAS)')
    .option('--config <FILE>', 'CLI state file (default $SCONE_CLI_CONFIG or ~/.cas/config.json)')
    .option('--identity <FILE>', 'use this PKCS#8 key PEM + certificate PEM as identity')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.writeOut(text),
      writeErr: (text) => io.writeErr(text),
      // Usage errors are printed by report(), in the one `Error:` format.
      outputError: () => undefined,
    });
  const groups = new Map<string, Command>();
  for (const spec of registry.commands) {
    const [groupName, name] = spec.path;
    let group = groups.get(groupName);
    if (group === undefined) {
      const description = registry.groups[groupName];
      if (description === undefined) throw new Error(`command group ${groupName} is not declared`);
      group = program.command(groupName).description(description);
      groups.set(groupName, group);
    }
    const cmd = group.command(name).description(spec.summary);
    spec.configure?.(cmd);
    if (spec.output !== false) cmd.option('--json', 'machine-readable output (JSON)');
    cmd.action(async (...actionArgs: unknown[]) => {
      const self = actionArgs[actionArgs.length - 1] as Command;
      const global = program.opts<GlobalOptions>();
      const opts = self.opts<{ json?: boolean }>();
      const out = createOutput({
        json: opts.json === true,
        writeOut: (t) => io.writeOut(t),
        writeErr: (t) => io.writeErr(t),
      });
      const ctx = createContext({
        io,
        out,
        statePath: stateFilePath({ config: global.config, env: io.env, homedir: io.homedir }),
        identityFile: global.identity,
      });
      const code = await spec.run(ctx, self.args, opts as never);
      if (typeof code === 'number') setExitCode(code);
    });
  }
  return program;
}

/** Commander's own errors become coded usage errors; help and version requests are not errors. */
function usageError(error: unknown): unknown {
  if (!(error instanceof CommanderError)) return error;
  if (error.exitCode === 0) return null;
  const message =
    error.code === 'commander.help' || error.code === 'commander.executeSubCommandAsync'
      ? 'missing command; its usage is printed above'
      : error.message.replace(/^error: /, '');
  return new CasError('CAS_CLI_USAGE', message);
}

function report(error: unknown, json: boolean, io: CliIo): number {
  if (error === null) return 0;
  const reported = formatError(error);
  if (json) io.writeOut(`${JSON.stringify(reported.body, null, 2)}\n`);
  io.writeErr(reported.lines.map((l) => `${l}\n`).join(''));
  if (io.env['SCONE_CLI_DEBUG'] === '1' && error instanceof Error && error.stack !== undefined) {
    io.writeErr(`${error.stack}\n`);
  }
  return reported.exitCode;
}
