import { defineCommand } from '../command.js';

/** `scone self show-key-hash`: the key hash that access policies use to name you. */
export const selfShowKeyHash = defineCommand({
  path: ['self', 'show-key-hash'],
  summary: 'print the key hash of your CLI identity (what access policies name)',
  async run(ctx) {
    const identity = await ctx.identity();
    ctx.out.result({ key_hash: identity.keyHash }, identity.keyHash);
  },
});
