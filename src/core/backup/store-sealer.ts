import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createEcdhSealer, ecdhMethodOf } from '../../store/seal/ecdh-wrap.js';
import type { Sealer } from '../../store/seal/sealer.js';

/**
 * The seal that opens this instance's entry of a SQLite key store: its own seal, or, on a
 * backup started on a copy of its primary's database, its backup key (the primary wrapped
 * the database key to it). Anything unreadable keeps the own seal, whose open then fails
 * with a coded error.
 */
export function storeSealerFor(options: {
  readonly keyStorePath: string | undefined;
  readonly instanceKeyHash: string;
  readonly sealer: Sealer;
  readonly backupKey: KeyObject;
}): Sealer {
  const { keyStorePath, instanceKeyHash, sealer, backupKey } = options;
  if (keyStorePath === undefined || !existsSync(keyStorePath)) return sealer;
  let entries: Array<{ instance?: unknown; method?: unknown }>;
  try {
    const doc = JSON.parse(readFileSync(keyStorePath, 'utf8')) as { entries?: unknown };
    entries = Array.isArray(doc.entries) ? (doc.entries as typeof entries) : [];
  } catch {
    return sealer;
  }
  const own = entries.filter((e) => e.instance === instanceKeyHash);
  const ecdh = ecdhMethodOf(backupKey);
  if (own.some((e) => e.method === sealer.method) || !own.some((e) => e.method === ecdh)) {
    return sealer;
  }
  return createEcdhSealer(backupKey);
}
