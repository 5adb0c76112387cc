import { stringify } from 'yaml';
import { CasError } from '../../errors/cas-error.js';
import { callerFields } from '../../audit/caller-fields.js';
import type { Session } from '../../policy/types.js';
import type { CasRuntime } from '../cas-runtime.js';
import type { Caller } from '../caller.js';
import { readActive } from './session-records.js';

/** What `GET /v1/sessions/<name>` returns. */
export interface ReadSessionResult {
  /** The normalised active version as YAML, explicit secret values redacted. */
  readonly session: string;
  readonly hash: string;
  /** The creator (certificate PEM or `{signer}`), so `scone session verify` can hash as the CAS did. */
  readonly creator: Session['creator'];
  /** The active version's predecessor (what `scone session update` filled in), or null. */
  readonly predecessor: string | null;
  /** Every version's hash, oldest first. */
  readonly history: readonly string[];
}

/** The marker that replaces an explicit secret value in what `read` returns. */
export const REDACTED = '<redacted>';

/** The session with every explicit secret `value` replaced by {@link REDACTED}. */
export function redactSession(session: Session): Session {
  return {
    ...session,
    secrets: session.secrets.map((s) => (s.value === undefined ? s : { ...s, value: REDACTED })),
  };
}

/**
 * Reads the active version of a session for a caller in its `read` policy. Generated secret
 * values are never part of a session; explicit ones are redacted.
 *
 * @throws CAS_SESSION_NOT_FOUND when the session is absent OR the caller may not read it (so
 *   that existence does not leak).
 */
export async function readSession(
  rt: CasRuntime,
  caller: Caller,
  name: string,
): Promise<ReadSessionResult> {
  rt.require('sessions');
  const active = await rt.store().transaction((tx) => readActive(tx, name));
  const readable =
    active !== undefined &&
    rt.deps.sessions.isAllowed(
      active.version.session.access_policy.read,
      caller.keyHash,
      active.meta.creator_key_hash,
    );
  if (!readable) {
    if (active !== undefined) {
      await rt.deps.audit?.record({
        event: 'access_denied',
        session: name,
        reason: 'CAS_SESSION_NOT_FOUND',
        ...callerFields(caller),
      });
    }
    throw new CasError(
      'CAS_SESSION_NOT_FOUND',
      `session ${name} not found (or you may not read it)`,
      {
        details: { name },
      },
    );
  }
  await rt.deps.audit?.record({
    event: 'session_read',
    session: name,
    hash: active.meta.active,
    ...callerFields(caller),
  });
  return {
    session: stringify(redactSession(active.version.session)),
    hash: active.meta.active,
    creator: active.meta.creator,
    predecessor: active.version.session.predecessor,
    history: active.meta.history.map((h) => h.hash),
  };
}
