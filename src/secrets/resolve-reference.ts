import type { SecretKind } from '../policy/types.js';
import { CasError } from '../errors/cas-error.js';
import type { GenerateContext } from './generator.js';
import type { CertificateData, SecretData } from './secret-value.js';

/** The stored data of a kind (both certificate kinds share one shape). */
export type DataOfKind<K extends SecretKind> = K extends 'x509' | 'x509-ca'
  ? CertificateData
  : Extract<SecretData, { kind: K }>;

/**
 * The resolved value of a secret that another one refers to (`private_key`, `issuer`),
 * checked to be of one of the expected kinds.
 *
 * @throws CAS_SECRETS_BAD_REFERENCE when it is missing or of another kind.
 */
export function resolveReference<K extends SecretKind>(
  ctx: GenerateContext,
  from: string,
  field: string,
  name: string,
  kinds: readonly K[],
): DataOfKind<K> {
  const value = ctx.resolve(name);
  if (value === undefined) {
    throw new CasError(
      'CAS_SECRETS_BAD_REFERENCE',
      `secret '${from}': ${field} '${name}' is not a secret of this session (or an import that resolved)`,
    );
  }
  const data = value.reveal();
  if (!(kinds as readonly SecretKind[]).includes(data.kind)) {
    throw new CasError(
      'CAS_SECRETS_BAD_REFERENCE',
      `secret '${from}': ${field} '${name}' is a ${data.kind}, expected ${kinds.join(' or ')}`,
    );
  }
  return data as DataOfKind<K>;
}
