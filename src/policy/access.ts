import type { PolicyEntry } from './types.js';

/**
 * Whether a caller passes one operation's access-policy entries: `ANY` admits everyone, `NONE`
 * nobody, `CREATOR` the session's creator (never when the creator is unknown), a key hash the
 * holder of that key. An empty list admits nobody.
 */
export function isAllowed(
  entries: readonly PolicyEntry[],
  callerKeyHash: string,
  creatorKeyHash: string | null,
): boolean {
  if (entries.includes('NONE')) return false;
  for (const entry of entries) {
    if (entry === 'ANY') return true;
    if (entry === 'CREATOR') {
      if (creatorKeyHash !== null && creatorKeyHash === callerKeyHash) return true;
    } else if (entry !== 'NONE' && entry.key_hash === callerKeyHash) {
      return true;
    }
  }
  return false;
}
