import type { SecretSpec } from '../policy/types.js';
import { CasError } from '../errors/cas-error.js';
import type { GenerateContext } from './generator.js';
import { SecretValue } from './secret-value.js';
import { checkSize } from './check-size.js';

/** The alphabet of generated `ascii` secrets: the 94 visible ASCII characters (no space). */
export const ASCII_ALPHABET = Array.from({ length: 94 }, (_, i) =>
  String.fromCharCode(0x21 + i),
).join('');

/** Default length of an `ascii` secret, as in SCONE. */
export const DEFAULT_ASCII_SIZE = 20;

/**
 * Generates an `ascii` secret: `size` characters drawn uniformly from {@link ASCII_ALPHABET}.
 * Bytes at or above the largest multiple of 94 are rejected, so there is no modulo bias.
 * An explicit `value` must be a string (of `size` characters when `size` is given).
 *
 * @throws CAS_SECRETS_INVALID_PARAMS, CAS_SECRETS_INVALID_VALUE.
 */
export function generateAscii(spec: SecretSpec, ctx: GenerateContext): Promise<SecretValue> {
  if (spec.value !== undefined) {
    if (typeof spec.value !== 'string') {
      throw new CasError(
        'CAS_SECRETS_INVALID_VALUE',
        `secret '${spec.name}': an ascii value must be a string`,
      );
    }
    if (spec.size !== undefined && [...spec.value].length !== spec.size) {
      throw new CasError(
        'CAS_SECRETS_INVALID_VALUE',
        `secret '${spec.name}': the value must have ${spec.size} characters`,
      );
    }
    return Promise.resolve(
      new SecretValue({ kind: 'ascii', origin: 'explicit', text: spec.value }),
    );
  }
  const size = checkSize(spec, DEFAULT_ASCII_SIZE);
  const n = ASCII_ALPHABET.length;
  const limit = 256 - (256 % n);
  let text = '';
  while (text.length < size) {
    for (const b of ctx.randomBytes(size - text.length + 8)) {
      if (b >= limit) continue;
      text += ASCII_ALPHABET[b % n];
      if (text.length === size) break;
    }
  }
  return Promise.resolve(new SecretValue({ kind: 'ascii', origin: 'generated', text }));
}
