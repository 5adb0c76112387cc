import type { SecretSpec } from '../policy/types.js';
import { CasError } from '../errors/cas-error.js';
import { SecretValue } from './secret-value.js';

/**
 * A `config-fragment` secret: YAML data written in the session, kept as data. There is nothing
 * to generate, so a fragment without a `value` (and not imported) is an error.
 *
 * @throws CAS_SECRETS_INVALID_VALUE when there is no value or it is not JSON-able data.
 */
export function generateConfigFragment(spec: SecretSpec): Promise<SecretValue> {
  if (spec.value === undefined || !isJsonData(spec.value, 0)) {
    throw new CasError(
      'CAS_SECRETS_INVALID_VALUE',
      `secret '${spec.name}': a config-fragment needs a value of plain YAML data`,
    );
  }
  return Promise.resolve(
    new SecretValue({ kind: 'config-fragment', origin: 'explicit', data: spec.value }),
  );
}

function isJsonData(v: unknown, depth: number): boolean {
  if (depth > 64) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isJsonData(x, depth + 1));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.values(v).every((x) => isJsonData(x, depth + 1));
  }
  return false;
}
