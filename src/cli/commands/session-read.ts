import { defineCommand } from '../command.js';
import { sessionClient } from './session-create.js';

/** What `GET /v1/sessions/<name>` answers. */
export interface ReadAnswer {
  readonly session: string;
  readonly hash: string;
  readonly creator?: string | { signer: string };
  readonly predecessor?: string | null;
}

/** `scone session read NAME [--cas NAME]` (exit 2 when absent or not readable). */
export const sessionRead = defineCommand<{ cas?: string; json?: boolean }>({
  path: ['session', 'read'],
  summary: 'print the active version of a session (explicit secret values redacted)',
  configure: (cmd) =>
    cmd
      .argument('<NAME>', 'session name')
      .option('--cas <NAME>', 'pinned CAS (default: the default CAS)'),
  async run(ctx, [name], opts) {
    const client = await sessionClient(ctx, opts.cas);
    try {
      const answer = (await client.call('GET', `/v1/sessions/${encodeURI(name!)}`)) as ReadAnswer;
      ctx.out.result(answer, [answer.session.trimEnd(), `# hash: ${answer.hash}`]);
    } finally {
      await client.close();
    }
  },
});
