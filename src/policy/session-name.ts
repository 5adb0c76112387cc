const SEGMENT = /^[A-Za-z0-9_\-.~]{1,128}$/;
const MAX_NAME_BYTES = 1024;

/**
 * Checks a session name: `/`-separated segments of `[A-Za-z0-9_\-.~]{1,128}`, none `.` or
 * `..`, at most 1024 bytes in all.
 *
 * @returns null when the name is valid, else a message saying what is wrong.
 */
export function checkSessionName(name: string): string | null {
  if (name.length === 0) return 'a session name must not be empty';
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    return `a session name has at most ${MAX_NAME_BYTES} bytes`;
  }
  for (const segment of name.split('/')) {
    if (segment === '.' || segment === '..') return `"${segment}" is not allowed as a name segment`;
    if (!SEGMENT.test(segment)) {
      return 'each /-separated segment has 1 to 128 characters from A-Z a-z 0-9 _ - . ~';
    }
  }
  return null;
}

/**
 * The namespace a session lives in: `a/b/c` → `a/b`; a top-level `NS~rest` → `NS` (the
 * cooperative `~` convention, enforced); a plain top-level name → null.
 */
export function parentNamespace(name: string): string | null {
  const slash = name.lastIndexOf('/');
  if (slash >= 0) return name.slice(0, slash);
  const tilde = name.indexOf('~');
  return tilde > 0 ? name.slice(0, tilde) : null;
}

/**
 * Splits a service config id (`SCONE_CONFIG_ID`, `ns/session/service`) into the session name
 * and the service name.
 *
 * @returns null when there is no `/` or either part is empty.
 */
export function splitConfigId(configId: string): { session: string; service: string } | null {
  const slash = configId.lastIndexOf('/');
  if (slash <= 0 || slash === configId.length - 1) return null;
  return { session: configId.slice(0, slash), service: configId.slice(slash + 1) };
}

/**
 * Resolves a session reference relative to the session `base` (`./child` is below it,
 * `../sibling` beside it, `../../x` one level up); absolute names are returned unchanged.
 *
 * @returns the absolute name, or null when the reference climbs above the root.
 */
export function resolveSessionRef(base: string, ref: string): string | null {
  if (!ref.startsWith('./') && !ref.startsWith('../')) return ref;
  const parts = base.split('/');
  const rest = ref.split('/');
  while (rest.length > 0 && (rest[0] === '.' || rest[0] === '..')) {
    if (rest.shift() === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    }
  }
  const out = [...parts, ...rest];
  return out.length === 0 ? null : out.join('/');
}
