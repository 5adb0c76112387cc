import { stringify } from 'yaml';
import { defineCommand } from '../command.js';
import {
  addSessionFileInput,
  readSessionFile,
  type SessionInputOptions,
} from '../session-input.js';

/**
 * `scone session check FILE [-e VAR=VALUE]... [--use-env]`: validates a session file, prints
 * every problem (exit 3) or the normalised session as YAML.
 */
export const sessionCheck = defineCommand<SessionInputOptions & { readonly json?: boolean }>({
  path: ['session', 'check'],
  summary: 'validate a session file; print every problem, or the normalised session',
  configure: (cmd) => addSessionFileInput(cmd),
  async run(ctx, [file], opts) {
    const { session, warnings } = await readSessionFile(ctx, file!, opts);
    ctx.out.result(
      { ok: true, session, warnings },
      stringify(session, { aliasDuplicateObjects: false }).trimEnd(),
    );
  },
});
