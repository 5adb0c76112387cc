import { commentRanges } from './comment-ranges.js';
import { substituteTemplateVars, type Substitution } from './template-vars.js';

/** Where template variables come from. */
export interface TemplateOptions {
  /** `-e NAME=VALUE` values; they win over the environment. */
  readonly vars?: Readonly<Record<string, string>>;
  /** Also take variables from `env` (`--use-env`). */
  readonly useEnv?: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Whether to replace template variables (default true). The CAS passes false for an upload:
   * the CLI has substituted already, and a `$NAME` left in the text is literal.
   */
  readonly substitute?: boolean;
}

/**
 * Replaces the template variables of a session file as `scone` does: `-e` values first, then
 * the environment with `--use-env`; variables inside YAML comments are left alone.
 */
export function applyTemplates(text: string, options: TemplateOptions): Substitution {
  if (options.substitute === false) {
    return {
      text,
      segments: [{ outStart: 0, srcStart: 0, length: text.length, replaced: false }],
      missing: [],
    };
  }
  const { vars, env } = options;
  const lookup = (name: string): string | undefined => {
    const v = vars !== undefined && Object.hasOwn(vars, name) ? vars[name] : undefined;
    if (v !== undefined) return v;
    return options.useEnv === true && env !== undefined && Object.hasOwn(env, name)
      ? env[name]
      : undefined;
  };
  let comments: Array<readonly [number, number]>;
  try {
    comments = commentRanges(text);
  } catch {
    // Never seen; without comment ranges every variable is simply demanded.
    comments = [];
  }
  return substituteTemplateVars(text, lookup, comments);
}
