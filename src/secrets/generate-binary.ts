import type { SecretSpec } from '../policy/types.js';
import { CasError } from '../errors/cas-error.js';
import type { GenerateContext } from './generator.js';
import { SecretValue } from './secret-value.js';
import { checkSize } from './check-size.js';

/** Default length in bytes of a `binary` secret, as in SCONE. */
export const DEFAULT_BINARY_SIZE = 20;

/**
 * Generates a `binary` secret (`hex` is normalised to this kind): `size` random bytes. An
 * explicit `value` is a hex string (case-insensitive, even length, `size` bytes when given).
 *
 * @throws CAS_SECRETS_INVALID_PARAMS, CAS_SECRETS_INVALID_VALUE.
 */
export function generateBinary(spec: SecretSpec, ctx: GenerateContext): Promise<SecretValue> {
  if (spec.value !== undefined) {
    const hex = typeof spec.value === 'string' ? spec.value.toLowerCase() : '';
    if (!/^(?:[0-9a-f]{2})+$/.test(hex)) {
      throw new CasError(
        'CAS_SECRETS_INVALID_VALUE',
        `secret '${spec.name}': a binary value must be a non-empty hex string of even length`,
      );
    }
    if (spec.size !== undefined && hex.length / 2 !== spec.size) {
      throw new CasError(
        'CAS_SECRETS_INVALID_VALUE',
        `secret '${spec.name}': the value must have ${spec.size} bytes`,
      );
    }
    return Promise.resolve(new SecretValue({ kind: 'binary', origin: 'explicit', hex }));
  }
  const size = checkSize(spec, DEFAULT_BINARY_SIZE);
  const bytes = ctx.randomBytes(size);
  if (bytes.length !== size) throw new RangeError('randomBytes returned the wrong length');
  return Promise.resolve(
    new SecretValue({ kind: 'binary', origin: 'generated', hex: bytes.toString('hex') }),
  );
}
