import {
  ownerConfigKey,
  ownerKey,
  secretKey,
  secretNameOf,
  secretPrefix,
  sessionKey,
  sessionListPrefix,
  sessionNameOf,
  sessionVersionKey,
} from '../store/keys.js';

/** The storage keys core uses, all built by `src/store/keys.ts`. */
export const storeKeys = {
  owner: ownerKey,
  ownerConfig: ownerConfigKey,
  /** A session's metadata: active hash and version number, creator, history. */
  sessionMeta: sessionKey,
  /** Prefix listing the sessions whose names start with `namePrefix`. */
  sessionListPrefix,
  sessionNameOf,
  /** Version `n` (0 = first) of a session: its normalised form and the uploaded text. */
  sessionVersion: sessionVersionKey,
  /** One secret value of a session, kept apart from the session body. */
  secret: secretKey,
  secretPrefix,
  secretNameOf,
} as const;
