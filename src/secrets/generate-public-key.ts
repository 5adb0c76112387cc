import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { SecretSpec } from '../policy/types.js';
import { CasError } from '../errors/cas-error.js';
import type { GenerateContext } from './generator.js';
import { redactCause, spkiSha256 } from './key-material.js';
import { resolveReference } from './resolve-reference.js';
import { SecretValue } from './secret-value.js';

/**
 * A `public-key` secret: the SPKI of the `private_key` secret it names, or an explicit SPKI
 * PEM `value`.
 *
 * @throws CAS_SECRETS_BAD_REFERENCE, CAS_SECRETS_INVALID_VALUE.
 */
export function generatePublicKey(spec: SecretSpec, ctx: GenerateContext): Promise<SecretValue> {
  if (spec.value !== undefined) {
    let key;
    try {
      if (typeof spec.value !== 'string' || !spec.value.includes('-----BEGIN PUBLIC KEY-----')) {
        throw new Error('not SPKI PEM');
      }
      key = createPublicKey({ key: spec.value, format: 'pem' });
    } catch (cause) {
      throw new CasError(
        'CAS_SECRETS_INVALID_VALUE',
        `secret '${spec.name}': the value is not an SPKI PEM public key`,
        {
          cause: redactCause(cause),
        },
      );
    }
    return Promise.resolve(publicKeyValue(key, 'explicit'));
  }
  if (spec.private_key === undefined) {
    throw new CasError(
      'CAS_SECRETS_BAD_REFERENCE',
      `secret '${spec.name}': a public-key needs private_key or a value`,
    );
  }
  const priv = resolveReference(ctx, spec.name, 'private_key', spec.private_key, ['private-key']);
  const key = createPublicKey(createPrivateKey(priv.pkcs8_pem));
  return Promise.resolve(publicKeyValue(key, 'generated'));
}

function publicKeyValue(key: KeyObject, origin: 'explicit' | 'generated'): SecretValue {
  const pem = key.export({ type: 'spki', format: 'pem' }).toString();
  return new SecretValue({
    kind: 'public-key',
    origin,
    spki_pem: pem,
    spki_sha256: spkiSha256(key),
  });
}
