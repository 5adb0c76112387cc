import { CasError } from '../../errors/cas-error.js';
import type { CasRuntime } from '../cas-runtime.js';
import type { Caller } from '../caller.js';
import { storeKeys } from '../store-keys.js';
import { readActive } from './session-records.js';

const PAGE = 1000;

/**
 * Lists session names. With a namespace, the names inside it (`NS/...` and `NS~...`), when the
 * caller passes the namespace session's `list_sessions` (its creator always may). Without
 * one, the top-level sessions the caller may list (its `list_sessions` or creator).
 *
 * @throws CAS_SESSION_NOT_FOUND when the namespace is absent or the caller may not list it.
 */
export async function listSessions(
  rt: CasRuntime,
  caller: Caller,
  namespace?: string,
): Promise<string[]> {
  rt.require('sessions');
  const { sessions } = rt.deps;
  const store = rt.store();
  const mayList = (s: NonNullable<Awaited<ReturnType<typeof readActive>>>): boolean =>
    s.meta.creator_key_hash === caller.keyHash ||
    sessions.isAllowed(
      s.version.session.access_policy.list_sessions,
      caller.keyHash,
      s.meta.creator_key_hash,
    );
  return store.transaction(async (tx) => {
    const names: string[] = [];
    const scan = async (
      keyPrefix: string,
      keep: (name: string) => Promise<boolean>,
    ): Promise<void> => {
      let after: string | undefined;
      for (;;) {
        const keys = await tx.list(
          keyPrefix,
          after === undefined ? { limit: PAGE } : { after, limit: PAGE },
        );
        for (const key of keys) {
          const name = storeKeys.sessionNameOf(key);
          if (name !== null && (await keep(name))) names.push(name);
        }
        if (keys.length < PAGE) return;
        after = keys[keys.length - 1];
      }
    };
    if (namespace === undefined || namespace === '') {
      await scan(storeKeys.sessionListPrefix(), async (name) => {
        if (sessions.parentNamespace(name) !== null) return false;
        const s = await readActive(tx, name);
        return s !== undefined && mayList(s);
      });
      return names;
    }
    const ns = await readActive(tx, namespace);
    if (ns === undefined || !mayList(ns)) {
      throw new CasError(
        'CAS_SESSION_NOT_FOUND',
        `namespace ${namespace} not found (or you may not list it)`,
        {
          details: { name: namespace },
        },
      );
    }
    await scan(storeKeys.sessionListPrefix(`${namespace}/`), () => Promise.resolve(true));
    await scan(storeKeys.sessionListPrefix(`${namespace}~`), () => Promise.resolve(true));
    return names.sort();
  });
}
