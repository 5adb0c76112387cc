import { defineCommand } from '../command.js';

/** `scone self show`: the identity's certificate PEM and its key hash. */
export const selfShow = defineCommand({
  path: ['self', 'show'],
  summary: 'print the certificate and key hash of your CLI identity',
  async run(ctx) {
    const identity = await ctx.identity();
    ctx.out.result({ certificate: identity.certPem, key_hash: identity.keyHash }, [
      identity.certPem.trimEnd(),
      `Key hash: ${identity.keyHash}`,
    ]);
  },
});
