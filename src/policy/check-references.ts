import { keyPath } from './issue-sink.js';
import {
  allowedFormats,
  isRawFormat,
  resolvePlaceholder,
  scanPlaceholders,
  type Placeholder,
} from './placeholders.js';
import type { Reader } from './read-node.js';
import type { ImageDraft } from './read-image.js';
import type { SecretDraft } from './read-secret.js';
import type { SecretKind, SecretSpec } from './types.js';
import type { PlaceholderSite, ServiceDraft } from './read-service.js';

/** Reports names used twice in one list. */
export function checkUnique(
  r: Reader,
  what: string,
  items: ReadonlyArray<{ name: string; path: string; offset: number }>,
): void {
  const seen = new Set<string>();
  for (const item of items) {
    if (item.name === '') continue;
    if (seen.has(item.name)) {
      r.sink.error(
        'CAS_POLICY_DUPLICATE_NAME',
        keyPath(item.path, 'name'),
        item.offset,
        `the ${what} name "${item.name}" is used twice`,
      );
    }
    seen.add(item.name);
  }
}

/**
 * Warns about a service `image_name` that names no declared image. SCONE accepts it (an image
 * without injection files or volumes needs no declaration, and real files rely on that), so it
 * is not an error; but a typo would silently drop the image's injection files.
 */
export function checkImageRefs(
  r: Reader,
  services: readonly ServiceDraft[],
  images: readonly ImageDraft[],
): void {
  const names = new Set(images.map((i) => i.image.name));
  for (const s of services) {
    const ref = s.service.image_name;
    if (ref !== undefined && !names.has(ref) && s.imageNameNode !== undefined) {
      r.sink.warn(
        'CAS_POLICY_IMAGE_NOT_DECLARED',
        keyPath(s.path, 'image_name'),
        s.imageNameNode.offset,
        `no image is named "${ref}", so this service gets no injection files from it`,
      );
    }
  }
}

/** Checks `private_key` and `issuer` references, and that issuers form no cycle. */
export function checkSecretRefs(r: Reader, secrets: readonly SecretDraft[]): void {
  const byName = new Map(secrets.map((s) => [s.spec.name, s.spec]));
  for (const d of secrets) {
    checkRef(r, d, 'private_key', ['private-key'], byName);
    checkRef(r, d, 'issuer', ['x509-ca'], byName);
    const chain = new Set<string>([d.spec.name]);
    let issuer = d.spec.issuer;
    while (issuer !== undefined) {
      if (chain.has(issuer)) {
        const e = d.fields.get('issuer');
        r.sink.error(
          'CAS_POLICY_BAD_REFERENCE',
          keyPath(d.path, 'issuer'),
          e?.value.offset ?? d.nameOffset,
          `the issuer chain of "${d.spec.name}" loops back to "${issuer}"`,
        );
        break;
      }
      chain.add(issuer);
      issuer = byName.get(issuer)?.issuer;
    }
  }
}

function checkRef(
  r: Reader,
  d: SecretDraft,
  key: 'private_key' | 'issuer',
  kinds: readonly SecretKind[],
  byName: ReadonlyMap<string, SecretSpec>,
): void {
  const ref = d.spec[key];
  if (ref === undefined) return;
  const offset = d.fields.get(key)?.value.offset ?? d.nameOffset;
  const target = byName.get(ref);
  const path = keyPath(d.path, key);
  if (target === undefined) {
    r.sink.error('CAS_POLICY_UNKNOWN_REFERENCE', path, offset, `no secret is named "${ref}"`);
  } else if (target.kind !== undefined && !kinds.includes(target.kind)) {
    r.sink.error(
      'CAS_POLICY_WRONG_REFERENCE_KIND',
      path,
      offset,
      `"${ref}" is a ${target.kind}; \`${key}\` needs a ${kinds.join(' or ')}`,
    );
  }
}

/**
 * Checks every placeholder in commands, environment values and injected file contents: it must
 * name a secret of the session and a format allowed for that secret's kind.
 */
export function checkPlaceholders(
  r: Reader,
  sites: readonly PlaceholderSite[],
  secrets: readonly SecretDraft[],
): void {
  const byName = new Map(secrets.map((s) => [s.spec.name, s.spec]));
  for (const site of sites) {
    const { placeholders, malformed } = scanPlaceholders(site.text);
    // Placeholders appear in the source in the order the scan finds them, so one forward cursor
    // locates them all in linear time.
    const found = [...placeholders, ...malformed.map((m) => ({ ...m, malformed: true as const }))];
    found.sort((x, y) => x.index - y.index);
    const locate = locator(r.text, site.node.offset);
    for (const p of found) {
      const at = locate(p.raw);
      if ('malformed' in p) {
        r.sink.error(
          'CAS_POLICY_BAD_PLACEHOLDER',
          site.path,
          at,
          `malformed placeholder "${p.raw}"; the form is $$SCONE::name[:format][|escape(json)]$$`,
        );
        continue;
      }
      checkPlaceholder(r, site, p, at, byName);
    }
  }
}

function checkPlaceholder(
  r: Reader,
  site: PlaceholderSite,
  p: Placeholder,
  at: number,
  byName: ReadonlyMap<string, SecretSpec>,
): void {
  const resolved = resolvePlaceholder(p, (n) => byName.has(n));
  const spec = resolved === null ? undefined : byName.get(resolved.secret);
  if (spec === undefined) {
    r.sink.error(
      'CAS_POLICY_UNKNOWN_SECRET',
      site.path,
      at,
      `${p.raw} names the secret "${p.secret}", which the session neither declares nor imports`,
    );
    return;
  }
  if (spec.kind === undefined) return;
  const format = resolved?.format ?? '';
  const allowed = allowedFormats(spec.kind);
  if (!allowed.includes(format)) {
    const list = allowed.map((f) => (f === '' ? '(none)' : `:${f}`)).join(', ');
    const has = allowed.length === 0 ? 'no placeholder formats here' : `the formats ${list}`;
    r.sink.error(
      'CAS_POLICY_BAD_FORMAT',
      site.path,
      at,
      `${p.raw}: a ${spec.kind} secret has ${has}`,
    );
  } else if (site.textOnly === true && isRawFormat(spec.kind, format)) {
    r.sink.error(
      'CAS_POLICY_RAW_FORMAT_IN_TEXT',
      site.path,
      at,
      `${p.raw} renders raw bytes, which a command, environment value or pwd cannot hold: inject it as a file, or use a text format (:hex, :base64, :pem…)`,
    );
  }
}

/** Finds successive placeholders in the text from a node's start, moving forward only. */
function locator(text: string, start: number): (raw: string) => number {
  let cursor = start;
  return (raw) => {
    const at = text.indexOf(raw, cursor);
    if (at < 0) return start;
    cursor = at + raw.length;
    return at;
  };
}
