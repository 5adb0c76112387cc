// BENCH-ONLY bulk path: fills the store with copies of one existing session, written directly
// through the Store contract in large transactions. It skips parsing and secret generation
// (every copy carries the template's secret values), so it must never be used outside the
// benchmark: a real CAS generates fresh secrets for every session.
import { jsonBytes, parseJsonBytes } from '../src/core/owner-record.js';
import type { SessionMeta, SessionVersion } from '../src/core/sessions/session-records.js';
import { storeKeys } from '../src/core/store-keys.js';
import { sessionHash } from '../src/policy/session-hash.js';
import type { Store } from '../src/store/store.js';

/** The name of filler session `i`. */
export function fillerName(i: number): string {
  return `fill-${i}`;
}

/**
 * Writes filler sessions `from` .. `to - 1`, each a copy of `template` (an existing session)
 * renamed, with its own hash; `batch` sessions per transaction.
 */
export async function bulkInsertSessions(
  store: Store,
  template: string,
  from: number,
  to: number,
  batch = 5000,
): Promise<void> {
  const rows = await store.transaction(async (tx) => {
    const meta = parseJsonBytes((await tx.get(storeKeys.sessionMeta(template)))!) as SessionMeta;
    const version = parseJsonBytes(
      (await tx.get(storeKeys.sessionVersion(template, meta.history.length - 1)))!,
    ) as SessionVersion;
    const secrets: Array<[string, Uint8Array]> = [];
    for (const key of await tx.list(storeKeys.secretPrefix(template))) {
      secrets.push([storeKeys.secretNameOf(template, key)!, (await tx.get(key))!]);
    }
    return { meta, version, secrets };
  });
  const { meta, version, secrets } = rows;
  for (let start = from; start < to; start += batch) {
    const end = Math.min(to, start + batch);
    await store.transaction(async (tx) => {
      for (let i = start; i < end; i++) {
        const name = fillerName(i);
        const session = { ...version.session, name };
        const hash = sessionHash(session);
        const text = version.text.replace(/^name: .*$/m, `name: ${name}`);
        const history = [{ ...meta.history[0]!, hash }];
        await tx.put(
          storeKeys.sessionMeta(name),
          jsonBytes({ ...meta, name, active: hash, history }),
        );
        await tx.put(storeKeys.sessionVersion(name, 0), jsonBytes({ session, text }));
        for (const [secret, bytes] of secrets) await tx.put(storeKeys.secret(name, secret), bytes);
      }
    });
  }
}
