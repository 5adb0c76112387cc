import { defineCommand } from '../command.js';

/** `scone cas set-default NAME`: the CAS commands use when none is named. */
export const casSetDefault = defineCommand({
  path: ['cas', 'set-default'],
  summary: 'make an attested CAS the default',
  configure: (cmd) => cmd.argument('<NAME>', 'name of an attested CAS (see scone cas list)'),
  async run(ctx, [wanted]) {
    const { name } = await ctx.pinnedCas(wanted);
    const { state } = await ctx.loadState();
    await ctx.saveState({ ...state, default_cas: name });
    ctx.out.result({ default_cas: name }, `Default CAS is now ${name}`);
  },
});
