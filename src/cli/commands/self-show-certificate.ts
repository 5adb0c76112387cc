import { defineCommand } from '../command.js';

/** `scone self show-certificate`: the identity's certificate PEM. */
export const selfShowCertificate = defineCommand({
  path: ['self', 'show-certificate'],
  summary: 'print the certificate PEM of your CLI identity',
  async run(ctx) {
    const identity = await ctx.identity();
    ctx.out.result({ certificate: identity.certPem }, identity.certPem.trimEnd());
  },
});
