import type { SecretKind, SecretSpec } from '../policy/types.js';
import { CasError } from '../errors/cas-error.js';
import { generateAscii } from './generate-ascii.js';
import { generateBinary } from './generate-binary.js';
import { generateCertificate } from './generate-certificate.js';
import { generateConfigFragment } from './generate-config-fragment.js';
import { generatePrivateKeySecret } from './generate-private-key.js';
import { generatePublicKey } from './generate-public-key.js';
import type { GenerateContext, SecretGenerator } from './generator.js';
import type { SecretValue } from './secret-value.js';

/** Kind → generator. A kind missing here cannot be generated, stored or rendered. */
const generators: Readonly<Record<SecretKind, SecretGenerator>> = {
  ascii: generateAscii,
  binary: generateBinary,
  'private-key': generatePrivateKeySecret,
  'public-key': generatePublicKey,
  x509: generateCertificate,
  'x509-ca': generateCertificate,
  'config-fragment': generateConfigFragment,
};

/**
 * Makes the value of one secret spec: validates an explicit `value`, or generates fresh
 * material. `ctx.resolve` gives the sibling secrets that `private_key` and `issuer` name.
 *
 * @throws CAS_SECRETS_UNKNOWN_KIND for a kind without a generator, and the codes of each kind.
 */
export function generateSecret(spec: SecretSpec, ctx: GenerateContext): Promise<SecretValue> {
  const kind = spec.kind;
  const generator =
    kind !== undefined && Object.hasOwn(generators, kind) ? generators[kind] : undefined;
  if (generator === undefined) {
    throw new CasError(
      'CAS_SECRETS_UNKNOWN_KIND',
      `secret '${spec.name}': kind '${String(spec.kind)}' is not supported`,
    );
  }
  return generator(spec, ctx);
}
