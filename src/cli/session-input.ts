import type { Command } from 'commander';
import { CasError } from '../errors/cas-error.js';
import { formatIssues } from '../policy/format-issues.js';
import { parseSession } from '../policy/parse-session.js';
import type { PolicyIssue, Session } from '../policy/types.js';
import type { CommandContext } from './context.js';

/** The options {@link addSessionFileInput} declares. */
export interface SessionInputOptions {
  /** `-e VAR=VALUE`, in the order given. */
  readonly env?: readonly string[];
  readonly useEnv?: boolean;
}

/** A session file read, parsed, validated and normalised. */
export interface SessionInput {
  readonly session: Session;
  readonly warnings: readonly PolicyIssue[];
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Declares the session file argument `<FILE>`, `-e VAR=VALUE` (repeatable) and `--use-env` on a
 * command that reads a session file (`session check|calculate-hash|create|update|verify`).
 */
export function addSessionFileInput(cmd: Command): Command {
  return cmd
    .argument('<FILE>', 'session file (YAML; - for stdin)')
    .option(
      '-e, --env <VAR=VALUE>',
      'value of template variable $VAR (repeatable; wins over --use-env)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--use-env', 'take template variables without -e from the environment');
}

/**
 * Parses `-e` assignments (the value may contain `=`; a later one wins).
 *
 * @throws CAS_CLI_USAGE for an assignment without `=` or with an invalid name.
 */
export function parseVarAssignments(assignments: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    const name = eq < 0 ? assignment : assignment.slice(0, eq);
    if (eq < 0) {
      // The argument is echoed only when it looks like a name: it may be a mistyped secret.
      const shown = VAR_NAME.test(name) && name.length <= 64 ? ` ${name}` : '';
      throw new CasError('CAS_CLI_USAGE', `-e${shown}: expected VAR=VALUE`);
    }
    if (!VAR_NAME.test(name)) {
      throw new CasError(
        'CAS_CLI_USAGE',
        `-e: "${name.slice(0, 64)}" is not a variable name (letters, digits and _, not starting with a digit)`,
      );
    }
    vars[name] = assignment.slice(eq + 1);
  }
  return vars;
}

/**
 * Reads and parses a session file with the command's template variables. Warnings go to
 * stderr; when there are errors, every issue goes to stderr (`FILE:LINE:COL: CODE path:
 * message`) and a `CAS_CLI_SESSION_INVALID` (exit 3) with `details.issues` is thrown.
 *
 * @throws CAS_CLI_USAGE, CAS_CLI_FILE_UNREADABLE, CAS_CLI_SESSION_INVALID.
 */
export async function readSessionFile(
  ctx: CommandContext,
  file: string,
  opts: SessionInputOptions,
): Promise<SessionInput> {
  const vars = parseVarAssignments(opts.env ?? []);
  const text = await ctx.readTextFile(file);
  const label = file === '-' ? '<stdin>' : file;
  const result = parseSession(text, { vars, useEnv: opts.useEnv === true, env: ctx.io.env });
  if (!result.ok) {
    const errors = result.issues.filter((i) => i.severity === 'error').length;
    ctx.io.writeErr(`${formatIssues(result.issues, label)}\n`);
    throw new CasError(
      'CAS_CLI_SESSION_INVALID',
      `${label}: ${errors} problem${errors === 1 ? '' : 's'} found; nothing was done`,
      { details: { file: label, issues: result.issues.map((i) => ({ ...i })) } },
    );
  }
  if (result.warnings.length > 0) ctx.io.writeErr(`${formatIssues(result.warnings, label)}\n`);
  return { session: result.session, warnings: result.warnings };
}
