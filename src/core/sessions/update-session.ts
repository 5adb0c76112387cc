import { CasError } from '../../errors/cas-error.js';
import { callerFields } from '../../audit/caller-fields.js';
import type { Session } from '../../policy/types.js';
import type { CasRuntime } from '../cas-runtime.js';
import type { Caller } from '../caller.js';
import { resolveImports } from './resolve-imports.js';
import {
  readActive,
  readSecrets,
  writeVersion,
  type LoadedMeta,
  type SessionVersion,
} from './session-records.js';

/** Result of a create or update: the new active hash. */
export interface SessionWriteResult {
  readonly hash: string;
  readonly created: boolean;
}

function notFound(name: string): CasError {
  return new CasError(
    'CAS_SESSION_NOT_FOUND',
    `session ${name} not found (or you may not read it)`,
    {
      details: { name },
    },
  );
}

function stale(name: string): CasError {
  return new CasError(
    'CAS_SESSION_STALE_PREDECESSOR',
    `session ${name}: predecessor is not the active version (it was updated meanwhile, or the file is older); read it again`,
    { details: { name } },
  );
}

/**
 * Makes `parsed` the active version of an existing session: `predecessor` must be the active
 * hash, the caller must pass the active version's `update` policy, the creator is kept, and
 * the secrets are migrated. Of two concurrent updates with the same predecessor exactly one
 * wins; the other gets CAS_SESSION_STALE_PREDECESSOR.
 *
 * @throws CAS_SESSION_NOT_FOUND (absent, or the caller may neither read nor update it),
 *   CAS_SESSION_UPDATE_DENIED, CAS_SESSION_STALE_PREDECESSOR.
 */
export async function updateParsedSession(
  rt: CasRuntime,
  caller: Caller,
  parsed: Session,
  text: string,
): Promise<SessionWriteResult> {
  const { sessions, env } = rt.deps;
  const store = rt.store();
  const current = await store.transaction((tx) => readActive(tx, parsed.name));
  if (current === undefined) throw notFound(parsed.name);
  const { meta } = current;
  const old = current.version.session;
  if (!sessions.isAllowed(old.access_policy.update, caller.keyHash, meta.creator_key_hash)) {
    const readable = sessions.isAllowed(
      old.access_policy.read,
      caller.keyHash,
      meta.creator_key_hash,
    );
    const reason = readable ? 'CAS_SESSION_UPDATE_DENIED' : 'CAS_SESSION_NOT_FOUND';
    await rt.deps.audit?.record({
      event: 'access_denied',
      session: parsed.name,
      reason,
      ...callerFields(caller),
    });
    if (!readable) throw notFound(parsed.name);
    throw new CasError('CAS_SESSION_UPDATE_DENIED', `you may not update session ${parsed.name}`, {
      details: { name: parsed.name },
    });
  }
  if (parsed.predecessor !== meta.active) throw stale(parsed.name);
  const session = sessions.withCreator(parsed, meta.creator);
  const hash = sessions.hash(session);
  const { oldSecrets, imported } = await store.transaction(async (tx) => ({
    oldSecrets: await readSecrets(tx, parsed.name),
    imported: await resolveImports(tx, session, hash),
  }));
  const now = env.now();
  const secrets = await sessions.migrateSecrets(old, oldSecrets, session, {
    now,
    randomBytes: (n) => env.randomBytes(n),
    imported: imported.values,
  });
  const next: LoadedMeta['meta'] = {
    ...meta,
    active: hash,
    history: [...meta.history, { hash, uploader_key_hash: caller.keyHash, at: now.toISOString() }],
  };
  const version: SessionVersion = { session, text };
  // The audit line is written in the same transaction: no audit line, no update.
  const wrote = await store.transaction(async (tx) => {
    const ok = await writeVersion(tx, { expected: current.bytes, meta: next, version, secrets });
    if (ok) {
      await rt.deps.audit?.record(
        { event: 'session_updated', session: parsed.name, hash, ...callerFields(caller) },
        tx,
      );
    }
    return ok;
  });
  if (!wrote) throw stale(parsed.name);
  rt.deps.logger.info({ session: parsed.name, hash, caller: caller.keyHash }, 'session updated');
  return { hash, created: false };
}

/**
 * `PUT /session`: updates an existing session from its file.
 *
 * @throws CAS_POLICY_INVALID and the errors of {@link updateParsedSession}.
 */
export async function updateSession(
  rt: CasRuntime,
  caller: Caller,
  text: string,
): Promise<SessionWriteResult> {
  rt.require('sessions');
  const parsed = await rt.deps.sessions.parse(text);
  if (parsed.predecessor === null) {
    throw new CasError(
      'CAS_SESSION_STALE_PREDECESSOR',
      `session ${parsed.name}: an update needs \`predecessor\` set to the active hash (scone session update fills it in)`,
      { details: { name: parsed.name } },
    );
  }
  return updateParsedSession(rt, caller, parsed, text);
}
