/**
 * The one place storage keys are built. A key is `<area>/<segment>[/<segment>...]`; every
 * segment that comes from outside (a session name, a secret name, a key hash) is escaped so that
 * it contains no `/`: no name can produce a key of another area or of another session, and the
 * escaped form of a name prefix is a prefix of the escaped forms of the names it starts.
 *
 * Keys are stored in clear below the barrier (like Vault paths): they name things, they must
 * never carry secret values.
 */

/**
 * Escapes one segment: `%`, `/` and control characters become `%XX` (uppercase hex of the
 * UTF-8 byte); everything else stays as it is, so keys remain readable in a database dump.
 * Character by character, so `escapeSegment(a + b) === escapeSegment(a) + escapeSegment(b)`.
 */
export function escapeSegment(segment: string): string {
  let out = '';
  for (const c of segment) {
    const code = c.charCodeAt(0);
    const escape = c === '%' || c === '/' || code < 0x20 || code === 0x7f;
    out += escape ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : c;
  }
  return out;
}

/** Reverses {@link escapeSegment}. */
export function unescapeSegment(segment: string): string {
  return segment.replace(/%([0-9A-F]{2})/gu, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/** Fixed-width decimal, so numbered keys list in numeric order. */
function counter(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError('a key counter is a non-negative integer');
  return String(n).padStart(16, '0');
}

/** Returns the escaped segment after `prefix`, or null when `key` is not in that area. */
function segmentAfter(key: string, prefix: string): string | null {
  if (!key.startsWith(prefix)) return null;
  const rest = key.slice(prefix.length);
  return rest.includes('/') ? null : unescapeSegment(rest);
}

const SESSION = 'session/';
const SESSION_VERSION = 'session-version/';
const SECRET = 'secret/';
const BACKUP = 'backup/';
const META = 'cas/meta/';

/** The current state of a session (its active version). */
export function sessionKey(name: string): string {
  return SESSION + escapeSegment(name);
}

/** Prefix for listing sessions whose names start with `namePrefix` (all when empty). */
export function sessionListPrefix(namePrefix = ''): string {
  return SESSION + escapeSegment(namePrefix);
}

/** The session name of a key from a {@link sessionListPrefix} listing, or null. */
export function sessionNameOf(key: string): string | null {
  return segmentAfter(key, SESSION);
}

/** Version `n` of a session (its history, for predecessor checks and audits). */
export function sessionVersionKey(name: string, n: number): string {
  return `${sessionVersionPrefix(name)}${counter(n)}`;
}

/** Prefix of all versions of one session, listed oldest first. */
export function sessionVersionPrefix(name: string): string {
  return `${SESSION_VERSION}${escapeSegment(name)}/`;
}

/** A secret of a session (generated or imported value). */
export function secretKey(session: string, secret: string): string {
  return `${secretPrefix(session)}${escapeSegment(secret)}`;
}

/** Prefix of all secrets of one session. */
export function secretPrefix(session: string): string {
  return `${SECRET}${escapeSegment(session)}/`;
}

/** The secret name of a key from a {@link secretPrefix} listing of `session`, or null. */
export function secretNameOf(session: string, key: string): string | null {
  return segmentAfter(key, secretPrefix(session));
}

/** The CAS owner binding (key hash of the provisioning identity). */
export function ownerKey(): string {
  return 'cas/owner';
}

/** The owner config uploaded at provisioning or by `update-config`. */
export function ownerConfigKey(): string {
  return 'cas/owner-config';
}

/** A named CAS-wide record (lifecycle state, instance facts, ...). */
export function metaKey(name: string): string {
  return META + escapeSegment(name);
}

/** The signed audit checkpoint (last sequence number and hash), updated with each event. */
export function auditCheckpointKey(): string {
  return 'audit/checkpoint';
}

/** The audit sequence counter shared by all replicas of a deployment. */
export function auditSequenceKey(): string {
  return 'audit/sequence';
}

/** A registered backup CAS, by its CAS key hash. */
export function backupKey(keyHash: string): string {
  return BACKUP + escapeSegment(keyHash);
}

/** Prefix of all registered backups. */
export function backupListPrefix(): string {
  return BACKUP;
}

/** The key hash of a key from a {@link backupListPrefix} listing, or null. */
export function backupKeyHashOf(key: string): string | null {
  return segmentAfter(key, BACKUP);
}
