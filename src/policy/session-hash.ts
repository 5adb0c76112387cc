import { createHash } from 'node:crypto';
import { canonicalJson } from '../encoding/canonical-json.js';
import type { Session } from './types.js';

/**
 * The session hash (`interfaces.md` §2): SHA-256, as 64 lowercase hex, of the canonical JSON of
 * the normalised session, `creator` included when present. Key order and YAML style of the
 * file do not matter; only the normalised meaning does.
 */
export function sessionHash(session: Session): string {
  return createHash('sha256').update(canonicalJson(session), 'utf8').digest('hex');
}
