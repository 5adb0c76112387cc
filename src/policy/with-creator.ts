import { deepFreeze } from './deep-freeze.js';
import type { Creator, Session } from './types.js';

/**
 * The session with `creator` set (replacing any): the uploader's certificate PEM, or
 * `{signer: <SPKI PEM>}`. The CAS calls it on create and keeps the first creator on updates;
 * `calculate-hash --with-self-as-creator` calls it with the CLI identity.
 */
export function withCreator(session: Session, creator: Creator): Session {
  const c: Creator = typeof creator === 'string' ? creator : { signer: creator.signer };
  return deepFreeze({ ...session, creator: c });
}
