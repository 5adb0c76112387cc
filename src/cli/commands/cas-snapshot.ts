import { pinnedCasClient } from '../../client/pinned-client.js';
import { defineCommand } from '../command.js';

/** `scone cas snapshot [--cas NAME]` (ours, owner only): a snapshot by the running CAS. */
export const casSnapshot = defineCommand<{ cas?: string; json?: boolean }>({
  path: ['cas', 'snapshot'],
  summary: 'make a CAS you own copy its database and key store into its [snapshots] dir',
  configure: (cmd) => cmd.option('--cas <NAME>', 'pinned CAS (default: the default CAS)'),
  async run(ctx, _args, opts) {
    const { name, cas } = await ctx.pinnedCas(opts.cas);
    const client = pinnedCasClient(cas, await ctx.identity());
    let answer: { folder?: string };
    try {
      answer = (await client.call('POST', '/v1/snapshots', { json: {} })) as { folder?: string };
    } finally {
      await client.close();
    }
    ctx.out.result(
      { name, ...answer },
      `Snapshot of CAS "${name}" written to ${answer.folder ?? '?'}`,
    );
  },
});
