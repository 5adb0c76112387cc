import { pinnedCasClient } from '../../client/pinned-client.js';
import { CasError } from '../../errors/cas-error.js';
import { defineCommand } from '../command.js';

/** `scone cas update-config [--cas NAME] --config-file FILE` (owner only). */
export const casUpdateConfig = defineCommand<{ cas?: string; configFile?: string; json?: boolean }>(
  {
    path: ['cas', 'update-config'],
    summary: 'replace the owner config of a CAS you own',
    configure: (cmd) =>
      cmd
        .option('--cas <NAME>', 'pinned CAS (default: the default CAS)')
        .option('--config-file <FILE>', 'owner config'),
    async run(ctx, _args, opts) {
      if (opts.configFile === undefined)
        throw new CasError('CAS_CLI_USAGE', 'cas update-config needs --config-file FILE');
      const text = await ctx.readTextFile(opts.configFile);
      const { name, cas } = await ctx.pinnedCas(opts.cas);
      const client = pinnedCasClient(cas, await ctx.identity());
      try {
        await client.call('PUT', '/v1/owner-config', { json: { owner_config: text } });
      } finally {
        await client.close();
      }
      ctx.out.result({ name, updated: true }, `The owner config of CAS "${name}" was updated.`);
    },
  },
);
