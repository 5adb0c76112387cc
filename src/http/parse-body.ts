import type { z } from 'zod';
import { CasError } from '../errors/cas-error.js';

/**
 * Validates a JSON body strictly (unknown fields are refused, not dropped).
 *
 * @throws CAS_SERVER_BAD_REQUEST naming the offending fields.
 */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) =>
    i.code === 'unrecognized_keys'
      ? `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.join(', ')}`
      : `${i.path.join('.') || 'body'}: ${i.message}`,
  );
  throw new CasError('CAS_SERVER_BAD_REQUEST', `bad request body: ${problems.join('; ')}`);
}
