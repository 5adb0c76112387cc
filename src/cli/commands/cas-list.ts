import { defineCommand } from '../command.js';

/** `scone cas list`: the pinned CASes, `* name: https://addr:8081/` for the default one. */
export const casList = defineCommand({
  path: ['cas', 'list'],
  summary: 'list the attested CASes (* marks the default)',
  async run(ctx) {
    const { state } = await ctx.loadState();
    const entries = Object.entries(state.cas_db).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    ctx.out.result(
      {
        default_cas: state.default_cas ?? null,
        cas: entries.map(([name, cas]) => ({
          name,
          default: name === state.default_cas,
          url: cas.url,
          address: cas.address,
          cas_key_hash: cas.cas_key_hash,
          software_key_hash: cas.software_key_hash,
          relaxations: cas.relaxations,
          attested_at: cas.attested_at,
        })),
      },
      entries.map(([name, cas]) => `${name === state.default_cas ? '*' : ' '} ${name}: ${cas.url}`),
    );
  },
});
