import { parseDocument } from 'yaml';
import { pinnedCasClient } from '../../client/pinned-client.js';
import type { CasClient } from '../../client/cas-client.js';
import { applyTemplates } from '../../policy/apply-templates.js';
import type { Session } from '../../policy/types.js';
import { defineCommand } from '../command.js';
import type { CommandContext } from '../context.js';
import {
  addSessionFileInput,
  parseVarAssignments,
  readSessionFile,
  type SessionInputOptions,
} from '../session-input.js';

/** Options of the commands that upload a session. */
export interface UploadOptions extends SessionInputOptions {
  readonly cas?: string;
  readonly name?: string;
  readonly json?: boolean;
}

/**
 * Reads a session file, validates it locally (all issues printed, nothing uploaded on error),
 * and returns the text to upload: template variables substituted, and `name` / `predecessor`
 * set when given.
 */
export async function sessionUploadText(
  ctx: CommandContext,
  file: string,
  opts: UploadOptions,
  set: { readonly name?: string | undefined; readonly predecessor?: string | undefined } = {},
): Promise<{ text: string; session: Session }> {
  const { session } = await readSessionFile(ctx, file, opts);
  const vars = parseVarAssignments(opts.env ?? []);
  const raw = await ctx.readTextFile(file);
  let text = applyTemplates(raw, { vars, useEnv: opts.useEnv === true, env: ctx.io.env }).text;
  if (set.name !== undefined || set.predecessor !== undefined) {
    const doc = parseDocument(text);
    if (set.name !== undefined) doc.set('name', set.name);
    if (set.predecessor !== undefined) doc.set('predecessor', set.predecessor);
    text = doc.toString();
  }
  return { text, session: set.name === undefined ? session : { ...session, name: set.name } };
}

/** A client of the CAS named by `--cas` (or the default one). */
export async function sessionClient(
  ctx: CommandContext,
  cas: string | undefined,
): Promise<CasClient> {
  const pinned = await ctx.pinnedCas(cas);
  return pinnedCasClient(pinned.cas, await ctx.identity());
}

/** `scone session create FILE [--cas NAME] [-e ...] [--use-env] [--name NAME]`. */
export const sessionCreate = defineCommand<UploadOptions>({
  path: ['session', 'create'],
  summary: 'upload a new session (prints its hash as the last line)',
  configure: (cmd) =>
    addSessionFileInput(cmd)
      .option('--cas <NAME>', 'pinned CAS (default: the default CAS)')
      .option('-n, --name <NAME>', 'session name (overrides the file)'),
  async run(ctx, [file], opts) {
    const { text, session } = await sessionUploadText(ctx, file!, opts, { name: opts.name });
    const client = await sessionClient(ctx, opts.cas);
    try {
      const { hash } = (await client.call('POST', '/session', { text })) as { hash: string };
      ctx.out.result({ name: session.name, hash }, [`Created session ${session.name}`, hash]);
    } finally {
      await client.close();
    }
  },
});
