import { CasError } from '../../errors/cas-error.js';
import { defineCommand } from '../command.js';
import { pinnedCasCertificates } from '../pinned-cas.js';

interface Options {
  readonly json?: boolean;
  readonly casKeyHash?: boolean;
  readonly softwareKeyHash?: boolean;
  readonly casCertificate?: boolean;
  readonly softwareCertificate?: boolean;
}

/** Each flag and the field it selects. */
const FIELDS = {
  casKeyHash: 'cas_key_hash',
  softwareKeyHash: 'software_key_hash',
  casCertificate: 'cas_certificate',
  softwareCertificate: 'software_certificate',
} as const;
const FLAGS = Object.keys(FIELDS) as (keyof typeof FIELDS)[];

/**
 * `scone cas show-identification [NAME] [-c|-s|-C|-S]`: what was pinned at attest time: the
 * CAS key hash, the software key hash, either certificate, or (default) the whole chain.
 */
export const casShowIdentification = defineCommand<Options>({
  path: ['cas', 'show-identification'],
  summary: 'print the pinned identification of an attested CAS (default: its certificate chain)',
  configure: (cmd) =>
    cmd
      .argument('[NAME]', 'name of an attested CAS (default: the default CAS)')
      .option('-c, --cas-key-hash', 'the CAS key hash')
      .option('-s, --software-key-hash', 'the CAS software key hash')
      .option('-C, --cas-certificate', 'the CAS certificate (PEM)')
      .option('-S, --software-certificate', 'the CAS software certificate (PEM)'),
  async run(ctx, [wanted], opts) {
    const chosen = FLAGS.filter((flag) => opts[flag] === true);
    if (chosen.length > 1) {
      throw new CasError('CAS_CLI_USAGE', 'give at most one of -c, -s, -C and -S');
    }
    const { name, cas } = await ctx.pinnedCas(wanted);
    const certs = pinnedCasCertificates(cas);
    const all = {
      name,
      url: cas.url,
      cas_key_hash: cas.cas_key_hash,
      software_key_hash: cas.software_key_hash,
      cas_certificate: certs.cas,
      software_certificate: certs.software,
      chain: certs.chain,
    };
    const only = chosen[0];
    const field = only === undefined ? 'chain' : FIELDS[only];
    const value = all[field];
    ctx.out.result(only === undefined ? all : { name, [field]: value }, value.trimEnd());
  },
});
