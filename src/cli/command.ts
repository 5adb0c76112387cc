import type { Command } from 'commander';
import type { CommandContext } from './context.js';

/**
 * One `scone` command, declared in its own file under `commands/` and listed in
 * `commands/index.ts`. The framework builds the commander command, adds `--json` when the
 * command prints output, builds the {@link CommandContext} and turns thrown errors into
 * `Error:` lines and exit codes.
 */
export interface CommandSpec<O extends object> {
  /** The words after `scone`: `['cas', 'list']`. The first word is a group of `commandGroups`. */
  readonly path: readonly [group: string, name: string];
  /** One line for `--help`. */
  readonly summary: string;
  /** False for a command that prints nothing (then no `--json` option). Default true. */
  readonly output?: boolean;
  /** Declares arguments and options with commander's API (`cmd.argument(...).option(...)`). */
  readonly configure?: (cmd: Command) => void;
  /**
   * Does the work. `args` are the positional arguments as given (absent optional ones are
   * missing), `opts` the parsed options (commander's camelCase keys, `json` included).
   * Throw a `CasError` for every failure the user can fix; print through `ctx.out`. A command
   * whose interface fixes its own exit codes (`verify-audit-log`) returns the code instead.
   */
  readonly run: (ctx: CommandContext, args: readonly string[], opts: O) => Promise<void | number>;
}

/** A command of any option type, as the registry holds them. */
export type AnyCommandSpec = CommandSpec<never>;

/** Identity helper that types a command's options. */
export function defineCommand<O extends object = { readonly json?: boolean }>(
  spec: CommandSpec<O>,
): CommandSpec<O> {
  return spec;
}
