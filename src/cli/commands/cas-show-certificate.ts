import { defineCommand } from '../command.js';
import { pinnedCasCertificates } from '../pinned-cas.js';

/** `scone cas show-certificate [NAME]`: the pinned CAS certificate (PEM). */
export const casShowCertificate = defineCommand({
  path: ['cas', 'show-certificate'],
  summary: 'print the certificate of an attested CAS (default: the default CAS)',
  configure: (cmd) => cmd.argument('[NAME]', 'name of an attested CAS'),
  async run(ctx, [wanted]) {
    const { name, cas } = await ctx.pinnedCas(wanted);
    const certificate = pinnedCasCertificates(cas).cas;
    ctx.out.result({ name, certificate }, certificate.trimEnd());
  },
});
