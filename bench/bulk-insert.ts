// BENCH-ONLY bulk path: fills the store with copies of one existing session, written directly
// through the Store contract (so encrypted by the barrier like every row) in large
// transactions. It skips parsing, hashing and secret generation: every copy carries the
// template's secret values, and its "hash" is SHA-256(template hash ‖ name), unique but not the
// session hash of the copy. Never use it outside the benchmark: a real CAS generates fresh
// secrets for every session and hashes what it stores.
import { createHash } from 'node:crypto';
import { parseJsonBytes } from '../src/core/owner-record.js';
import type { SessionMeta, SessionVersion } from '../src/core/sessions/session-records.js';
import { storeKeys } from '../src/core/store-keys.js';
import type { Store } from '../src/store/store.js';

/** The name of filler session `i`. */
export function fillerName(i: number): string {
  return `fill-${i}`;
}

const NAME = '@@BENCH-NAME@@';
const HASH = '@@BENCH-HASH@@';

/** A JSON text with the name and hash tokens, cut once, joined per copy. */
function template(value: unknown): (name: string, hash: string) => Uint8Array {
  const parts = JSON.stringify(value)
    .split(NAME)
    .map((part) => part.split(HASH));
  return (name, hash) => Buffer.from(parts.map((p) => p.join(hash)).join(name), 'utf8');
}

/**
 * Writes filler sessions `from` .. `to - 1`, each a renamed copy of `source` (an existing
 * session without imports), `batch` sessions per transaction, and stops after the batch that
 * passes `deadline` (ms, performance.now()). Returns the number of sessions written.
 */
export async function bulkInsertSessions(
  store: Store,
  source: string,
  from: number,
  to: number,
  deadline = Infinity,
  batch = 5000,
): Promise<number> {
  const rows = await store.transaction(async (tx) => {
    const meta = parseJsonBytes((await tx.get(storeKeys.sessionMeta(source)))!) as SessionMeta;
    const version = parseJsonBytes(
      (await tx.get(storeKeys.sessionVersion(source, meta.history.length - 1)))!,
    ) as SessionVersion;
    const secrets: Array<[string, Uint8Array]> = [];
    for (const key of await tx.list(storeKeys.secretPrefix(source))) {
      secrets.push([storeKeys.secretNameOf(source, key)!, (await tx.get(key))!]);
    }
    return { meta, version, secrets };
  });
  const { meta, version, secrets } = rows;
  const metaOf = template({
    ...meta,
    name: NAME,
    active: HASH,
    history: [{ ...meta.history[0]!, hash: HASH }],
  });
  const versionOf = template({
    session: { ...version.session, name: NAME },
    text: version.text.replace(/^name: .*$/m, `name: ${NAME}`),
  });
  let i = from;
  while (i < to && performance.now() < deadline) {
    const end = Math.min(to, i + batch);
    await store.transaction(async (tx) => {
      for (let j = i; j < end; j++) {
        const name = fillerName(j);
        const hash = createHash('sha256').update(meta.active).update(name).digest('hex');
        await tx.put(storeKeys.sessionMeta(name), metaOf(name, hash));
        await tx.put(storeKeys.sessionVersion(name, 0), versionOf(name, hash));
        for (const [secret, bytes] of secrets) await tx.put(storeKeys.secret(name, secret), bytes);
      }
    });
    i = end;
  }
  return i - from;
}
