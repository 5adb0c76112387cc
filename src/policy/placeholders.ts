import type { SecretKind } from './types.js';

/** One `$$SCONE::name[:format][|escape(json)]$$` placeholder found in a text. */
export interface Placeholder {
  readonly secret: string;
  /** The format after `:` (legacy `.crt`/`.key`/`.chain`/`.hex` suffixes are mapped to theirs). */
  readonly format?: string;
  readonly escape?: 'json';
  /** The placeholder exactly as written. */
  readonly raw: string;
  /** Offset of the first `$` in the text. */
  readonly index: number;
  /** The legacy dotted suffix when one was used (`flask.crt` → secret `flask`, format `crt`). */
  readonly legacySuffix?: string;
}

/** A `$$SCONE::` that does not form a valid placeholder. */
export interface MalformedPlaceholder {
  readonly raw: string;
  readonly index: number;
}

const OPEN = '$$SCONE::';
const BODY = /^([A-Za-z0-9_\-.~/]+?)(?::([A-Za-z0-9_\-:]+))?(?:\|(escape\(json\)))?$/;
const LEGACY: Readonly<Record<string, string>> = {
  crt: 'crt',
  key: 'privatekey',
  chain: 'chain',
  hex: 'hex',
};

/** Finds placeholders and malformed `$$SCONE::` openings in `text`; other `$$` is literal text. */
export function scanPlaceholders(text: string): {
  placeholders: Placeholder[];
  malformed: MalformedPlaceholder[];
} {
  const placeholders: Placeholder[] = [];
  const malformed: MalformedPlaceholder[] = [];
  let from = 0;
  for (;;) {
    const index = text.indexOf(OPEN, from);
    if (index < 0) break;
    const close = text.indexOf('$$', index + OPEN.length);
    const bodyEnd = close < 0 ? -1 : close;
    const body = bodyEnd < 0 ? null : text.slice(index + OPEN.length, bodyEnd);
    const m = body === null ? null : BODY.exec(body);
    if (m === null || bodyEnd < 0) {
      const end = bodyEnd < 0 ? Math.min(text.length, index + 60) : bodyEnd + 2;
      malformed.push({ raw: text.slice(index, end), index });
      from = index + OPEN.length;
      continue;
    }
    const raw = text.slice(index, bodyEnd + 2);
    placeholders.push(
      withLegacy(m[1] as string, m[2], m[3] === undefined ? undefined : 'json', raw, index),
    );
    from = bodyEnd + 2;
  }
  return { placeholders, malformed };
}

function withLegacy(
  name: string,
  format: string | undefined,
  escape: 'json' | undefined,
  raw: string,
  index: number,
): Placeholder {
  const dot = name.lastIndexOf('.');
  const suffix = dot > 0 ? name.slice(dot + 1) : '';
  const legacy = format === undefined ? LEGACY[suffix] : undefined;
  const base = { raw, index, ...(escape === undefined ? {} : { escape }) };
  if (legacy !== undefined) {
    return { ...base, secret: name.slice(0, dot), format: legacy, legacySuffix: suffix };
  }
  return { ...base, secret: name, ...(format === undefined ? {} : { format }) };
}

/** The well-formed placeholders of `text`, in order. */
export function findPlaceholders(text: string): Placeholder[] {
  return scanPlaceholders(text).placeholders;
}

const X509_FORMATS = [
  '',
  'crt',
  'crt:pem',
  'crt:der',
  'privatekey',
  'privatekey:pem',
  'privatekey:der',
  'privatekey:pkcs8:pem',
  'privatekey:pkcs8:der',
  'chain',
  'pkcs12-with-private-key',
] as const;

const FORMATS: Readonly<Record<SecretKind, readonly string[]>> = {
  ascii: [''],
  binary: ['', 'bin', 'hex', 'base64', 'base64url', 'base32', 'base32nopad'],
  'private-key': ['', 'pem', 'pkcs8:pem', 'der', 'pkcs8:der'],
  'public-key': ['', 'spki:pem', 'spki:der'],
  x509: X509_FORMATS,
  'x509-ca': X509_FORMATS,
  // Config fragments are spliced into policy sections, which are not supported yet.
  'config-fragment': [],
};

/**
 * The placeholder formats allowed for a kind (`''` = no format), from the secret-kind table of
 * the reference (§1.4).
 */
export function allowedFormats(kind: SecretKind): readonly string[] {
  return FORMATS[kind];
}

/**
 * Whether a placeholder format renders raw bytes (binary without a format or `:bin`, any DER
 * form, PKCS#12): such bytes may hold NUL and are not UTF-8, so only an injected file can
 * carry them, never a command, an environment value or a working directory.
 */
export function isRawFormat(kind: SecretKind, format: string): boolean {
  if (kind === 'binary') return format === '' || format === 'bin';
  return format === 'der' || format.endsWith(':der') || format === 'pkcs12-with-private-key';
}

/**
 * The secret and format a placeholder means, given the session's secret names: a legacy dotted
 * name (`flask.crt`) means secret `flask` with format `crt`, unless a secret is literally named
 * `flask.crt` and `flask` is not. Renderers use this too, so upload checks and provisioning agree.
 */
export function resolvePlaceholder(
  p: Placeholder,
  hasSecret: (name: string) => boolean,
): { secret: string; format: string } | null {
  if (hasSecret(p.secret)) return { secret: p.secret, format: p.format ?? '' };
  if (p.legacySuffix !== undefined) {
    const whole = `${p.secret}.${p.legacySuffix}`;
    if (hasSecret(whole)) return { secret: whole, format: '' };
  }
  return null;
}
