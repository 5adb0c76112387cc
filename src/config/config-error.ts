import type { z } from 'zod';
import { CasError } from '../errors/cas-error.js';

/** Dotted key path of a zod issue (`api.api_listen`, `api_identity.alt_names[1]`). */
function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/**
 * Turns the issues of a failed strict parse into one coded error naming every offending key:
 * `CAS_CONFIG_UNKNOWN_KEY` when any key is unknown (most likely a typo), `CAS_CONFIG_BAD_VALUE`
 * otherwise. The file name prefixes the message so an operator knows which file to fix.
 */
export function configError(file: string, error: z.ZodError): CasError {
  const unknown: string[] = [];
  const bad: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) unknown.push(keyPath([...issue.path, key]));
    } else {
      bad.push(`${keyPath(issue.path) || '(top level)'}: ${issue.message}`);
    }
  }
  if (unknown.length > 0) {
    return new CasError(
      'CAS_CONFIG_UNKNOWN_KEY',
      `${file}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `\`${k}\``).join(', ')}`,
      { details: { file, keys: unknown } },
    );
  }
  return new CasError('CAS_CONFIG_BAD_VALUE', `${file}: ${bad.join('; ')}`, {
    details: { file, problems: bad },
  });
}
