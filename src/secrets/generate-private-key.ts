import type { SecretSpec } from '../policy/types.js';
import { CasError } from '../errors/cas-error.js';
import {
  DEFAULT_KEY_TYPE,
  generatePrivateKey,
  KEY_TYPES,
  keyTypeOf,
  parsePrivateKeyPem,
  pkcs8Pem,
  sha256Hex,
  spkiSha256,
} from './key-material.js';
import type { GenerateContext } from './generator.js';
import { publicKeyInfo } from './public-key-info.js';
import { SecretValue } from './secret-value.js';

/**
 * Generates a `private-key` secret of `key_type` (P-256 default, P-384, Ed25519, RSA-2048,
 * RSA-3072), stored as PKCS#8 PEM. An explicit `value` is a PEM private key (PKCS#8 or the
 * traditional EC/RSA forms, stored as PKCS#8) whose type must match `key_type` when given.
 *
 * @throws CAS_SECRETS_INVALID_PARAMS, CAS_SECRETS_INVALID_VALUE.
 */
export async function generatePrivateKeySecret(
  spec: SecretSpec,
  ctx?: GenerateContext,
): Promise<SecretValue> {
  if (spec.key_type !== undefined && !KEY_TYPES.includes(spec.key_type)) {
    throw new CasError(
      'CAS_SECRETS_INVALID_PARAMS',
      `secret '${spec.name}': key_type must be one of ${KEY_TYPES.join(', ')}`,
    );
  }
  if (spec.value !== undefined) {
    if (typeof spec.value !== 'string') {
      throw new CasError(
        'CAS_SECRETS_INVALID_VALUE',
        `secret '${spec.name}': a private-key value must be PEM text`,
      );
    }
    const key = parsePrivateKeyPem(spec.value, spec.name);
    const keyType = keyTypeOf(key);
    if (spec.key_type !== undefined && spec.key_type !== keyType) {
      throw new CasError(
        'CAS_SECRETS_INVALID_VALUE',
        `secret '${spec.name}': the value is a ${keyType} key but key_type says ${spec.key_type}`,
      );
    }
    return new SecretValue({
      kind: 'private-key',
      origin: 'explicit',
      key_type: keyType,
      pkcs8_pem: pkcs8Pem(key),
      spki_sha256: spkiSha256(key),
    });
  }
  const keyType = spec.key_type ?? DEFAULT_KEY_TYPE;
  const key = await generatePrivateKey(keyType);
  const pem = pkcs8Pem(key);
  ctx?.keys?.set(pem, key);
  return new SecretValue({
    kind: 'private-key',
    origin: 'generated',
    key_type: keyType,
    pkcs8_pem: pem,
    spki_sha256: sha256Hex(publicKeyInfo(key).spki),
  });
}
