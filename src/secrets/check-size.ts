import type { SecretSpec } from '../policy/types.js';
import { CasError } from '../errors/cas-error.js';

/** Largest `size` the CAS generates (bytes or characters): 64 KiB. */
export const MAX_SECRET_SIZE = 65536;

/**
 * The `size` of an `ascii` or `binary` secret, or its default.
 *
 * @throws CAS_SECRETS_INVALID_PARAMS unless it is an integer from 1 to {@link MAX_SECRET_SIZE}.
 */
export function checkSize(spec: SecretSpec, fallback: number): number {
  const size = spec.size ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > MAX_SECRET_SIZE) {
    throw new CasError(
      'CAS_SECRETS_INVALID_PARAMS',
      `secret '${spec.name}': size must be an integer from 1 to ${MAX_SECRET_SIZE}`,
    );
  }
  return size;
}
