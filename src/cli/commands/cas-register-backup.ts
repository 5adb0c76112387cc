import { pinnedCasClient } from '../../client/pinned-client.js';
import { defineCommand } from '../command.js';

interface Options {
  readonly cas?: string;
  readonly only_for_testingDebug?: boolean;
  readonly json?: boolean;
}

/**
 * `scone cas register-backup BACKUP_ADDR [--cas NAME] [--only_for_testing-debug]` (owner
 * only): the CAS attests the backup CAS and wraps its database key to it.
 */
export const casRegisterBackup = defineCommand<Options>({
  path: ['cas', 'register-backup'],
  summary: 'let another CAS (same build, attested by this one) open this CAS database',
  configure: (cmd) =>
    cmd
      .argument('<BACKUP_ADDR>', 'client API address of the backup CAS (host[:port])')
      .option('--cas <NAME>', 'pinned CAS you own (default: the default CAS)')
      .option('--only_for_testing-debug', 'accept a backup CAS in simulation mode (tests only)'),
  async run(ctx, args, opts) {
    const address = args[0] ?? '';
    const { name, cas } = await ctx.pinnedCas(opts.cas);
    const client = pinnedCasClient(cas, await ctx.identity());
    let answer: { backup_key_hash?: string };
    try {
      answer = (await client.call('POST', '/v1/backups', {
        json: { address, allow_simulation: opts.only_for_testingDebug === true },
      })) as { backup_key_hash?: string };
    } finally {
      await client.close();
    }
    ctx.out.result(
      { name, backup: address, ...answer },
      `CAS ${address} (key hash ${answer.backup_key_hash ?? '?'}) is now a registered backup of CAS "${name}".`,
    );
  },
});
