import { CasError } from '../../errors/cas-error.js';
import { callerFields } from '../../audit/caller-fields.js';
import type { CasRuntime } from '../cas-runtime.js';
import type { Caller } from '../caller.js';
import { resolveImports } from './resolve-imports.js';
import { readActive, readMeta, writeVersion } from './session-records.js';
import { updateParsedSession, type SessionWriteResult } from './update-session.js';

function exists(name: string): CasError {
  return new CasError(
    'CAS_SESSION_EXISTS',
    `session ${name} exists already: use scone session update (or set predecessor to its hash)`,
    { details: { name } },
  );
}

/**
 * Checks the namespace rule (session-language.md, amendment 4): a name inside namespace `NS`
 * needs session `NS` to exist and the caller to pass its `create_sessions`. Both failures give
 * the same answer, so that the existence of a namespace one may not use does not leak.
 *
 * @throws CAS_SESSION_NAMESPACE_DENIED.
 */
async function checkNamespace(rt: CasRuntime, caller: Caller, name: string): Promise<void> {
  const { sessions } = rt.deps;
  const namespace = sessions.parentNamespace(name);
  if (namespace === null) return;
  const ns = await rt.store().transaction((tx) => readActive(tx, namespace));
  const ok =
    ns !== undefined &&
    sessions.isAllowed(
      ns.version.session.access_policy.create_sessions,
      caller.keyHash,
      ns.meta.creator_key_hash,
    );
  if (!ok) {
    throw new CasError(
      'CAS_SESSION_NAMESPACE_DENIED',
      `session ${name} lies in namespace ${namespace}, which does not exist or whose create_sessions does not list you`,
      { details: { name, namespace } },
    );
  }
}

/**
 * `POST /session`: creates a session, generating its secrets; the caller becomes its creator.
 * A file whose `predecessor` equals the active hash of an existing session updates it
 * (amendment 3); without a predecessor an existing name is refused.
 *
 * @throws CAS_POLICY_INVALID, CAS_SESSION_EXISTS, CAS_SESSION_STALE_PREDECESSOR,
 *   CAS_SESSION_NAMESPACE_DENIED, and the update errors.
 */
export async function createSession(
  rt: CasRuntime,
  caller: Caller,
  text: string,
): Promise<SessionWriteResult> {
  rt.require('sessions');
  const { sessions, env } = rt.deps;
  const parsed = await sessions.parse(text);
  const store = rt.store();
  const existing = await store.transaction((tx) => readMeta(tx, parsed.name));
  if (existing !== undefined) {
    if (parsed.predecessor === null) throw exists(parsed.name);
    return updateParsedSession(rt, caller, parsed, text);
  }
  if (parsed.predecessor !== null) {
    throw new CasError(
      'CAS_SESSION_STALE_PREDECESSOR',
      `session ${parsed.name} does not exist, so it has no version ${parsed.predecessor} to succeed`,
      { details: { name: parsed.name } },
    );
  }
  await checkNamespace(rt, caller, parsed.name);
  const session = sessions.withCreator(parsed, caller.certPem);
  const hash = sessions.hash(session);
  const now = env.now();
  const imported = await store.transaction((tx) => resolveImports(tx, session, hash));
  const secrets = await sessions.generateSecrets(session, {
    now,
    randomBytes: (n) => env.randomBytes(n),
    imported: imported.values,
  });
  const meta = {
    name: parsed.name,
    active: hash,
    creator: caller.certPem,
    // The key hash of `creator`, already computed from the same certificate for this caller.
    creator_key_hash: caller.keyHash,
    history: [{ hash, uploader_key_hash: caller.keyHash, at: now.toISOString() }],
  };
  // The audit line is written in the same transaction: no audit line, no session.
  const wrote = await store.transaction(async (tx) => {
    const ok = await writeVersion(tx, {
      expected: undefined,
      meta,
      version: { session, text },
      secrets,
    });
    if (ok) {
      await rt.deps.audit?.record(
        { event: 'session_created', session: parsed.name, hash, ...callerFields(caller) },
        tx,
      );
    }
    return ok;
  });
  if (!wrote) throw exists(parsed.name);
  rt.deps.logger.info({ session: parsed.name, hash, caller: caller.keyHash }, 'session created');
  return { hash, created: true };
}
