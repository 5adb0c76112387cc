import { defineCommand } from '../command.js';
import { sessionClient } from './session-create.js';

/** `scone session list [NAMESPACE] [--cas NAME]` (ours). */
export const sessionList = defineCommand<{ cas?: string; json?: boolean }>({
  path: ['session', 'list'],
  summary: 'list the sessions of a namespace (or the top-level ones you may list)',
  configure: (cmd) =>
    cmd
      .argument('[NAMESPACE]', 'namespace session')
      .option('--cas <NAME>', 'pinned CAS (default: the default CAS)'),
  async run(ctx, [namespace], opts) {
    const client = await sessionClient(ctx, opts.cas);
    try {
      const query = namespace === undefined ? '' : `?namespace=${encodeURIComponent(namespace)}`;
      const { sessions } = (await client.call('GET', `/v1/sessions${query}`)) as {
        sessions: string[];
      };
      ctx.out.result({ sessions }, sessions);
    } finally {
      await client.close();
    }
  },
});
