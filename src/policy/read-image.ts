import { indexPath, keyPath } from './issue-sink.js';
import { asMap, asString, listItems, readFields, requireField, type Reader } from './read-node.js';
import type { Image, InjectionFile } from './types.js';
import type { PlaceholderSite } from './read-service.js';
import type { YNode, YScalar } from './yaml-tree.js';

/** An image as read, with the offset of its name. */
export interface ImageDraft {
  readonly image: Image;
  readonly path: string;
  readonly nameOffset: number;
}

const DEFAULT_PERMISSION = 0o700;

/** Reads one entry of `images`. */
export function readImage(
  r: Reader,
  node: YNode,
  path: string,
  sites: PlaceholderSite[],
): ImageDraft | null {
  const map = asMap(r, node, path);
  if (map === null) return null;
  const f = readFields(r, map, path, {
    known: ['name', 'injection_files'],
    unsupported: {
      volumes: 'encrypted volumes are not implemented yet',
      provide_secrets: 'restricting secrets per image is not implemented yet',
      mrenclaves: 'it belongs to the pre-0.3 session format (put measurements on services)',
      tags: 'it belongs to the pre-0.3 session format',
    },
  });
  const nameEntry = requireField(r, f, map, path, 'name');
  let name = '';
  if (nameEntry !== undefined) {
    name = asString(r, nameEntry.value, keyPath(path, 'name')) ?? '';
    // Image names are free-form (real files use `volume-demo:1.0` and registry references).
    if (
      nameEntry.value.kind === 'scalar' &&
      (name.length === 0 || name.length > 512 || /[\s\p{Cc}]/u.test(name))
    ) {
      r.sink.error(
        'CAS_POLICY_BAD_NAME',
        keyPath(path, 'name'),
        nameEntry.value.offset,
        'an image name has 1 to 512 characters and no white space',
      );
    }
  }
  const files: InjectionFile[] = [];
  const inj = f.get('injection_files');
  if (inj !== undefined) {
    const seen = new Set<string>();
    for (const item of listItems(r, inj.value, keyPath(path, 'injection_files')) ?? []) {
      const file = readInjectionFile(r, item.node, item.path, sites);
      if (file === null) continue;
      if (seen.has(file.path)) {
        r.sink.error(
          'CAS_POLICY_DUPLICATE_NAME',
          item.path,
          item.node.offset,
          `the file ${file.path} is injected twice`,
        );
      }
      seen.add(file.path);
      files.push(file);
    }
  }
  return {
    image: { name, injection_files: files },
    path,
    nameOffset: nameEntry?.value.offset ?? map.offset,
  };
}

function checkFilePath(r: Reader, p: string, node: YNode, path: string): boolean {
  if (p.length === 0 || p.includes('\0') || p.split('/').includes('..')) {
    r.sink.error(
      'CAS_POLICY_BAD_VALUE',
      path,
      node.offset,
      'an injection file path is non-empty, without NUL and without `..` segments',
    );
    return false;
  }
  return true;
}

function readInjectionFile(
  r: Reader,
  node: YNode,
  path: string,
  sites: PlaceholderSite[],
): InjectionFile | null {
  if (node.kind === 'scalar') {
    const p = asString(r, node, path);
    return p !== null && checkFilePath(r, p, node, path)
      ? { path: p, permission: DEFAULT_PERMISSION }
      : null;
  }
  const map = asMap(r, node, path);
  if (map === null) return null;
  const f = readFields(r, map, path, { known: ['path', 'content', 'permission'] });
  const pEntry = requireField(r, f, map, path, 'path');
  const p = pEntry === undefined ? null : asString(r, pEntry.value, keyPath(path, 'path'));
  const c = f.get('content');
  const content = c === undefined ? undefined : asString(r, c.value, keyPath(path, 'content'));
  if (c !== undefined && content !== null && content !== undefined) {
    sites.push({ text: content, node: c.value, path: keyPath(path, 'content') });
  }
  const perm = f.get('permission');
  const permission =
    perm === undefined
      ? DEFAULT_PERMISSION
      : readPermission(r, perm.value, keyPath(path, 'permission'));
  if (
    p === null ||
    pEntry === undefined ||
    !checkFilePath(r, p, pEntry.value, keyPath(path, 'path'))
  )
    return null;
  if (permission === null || content === null) return null;
  return { path: p, ...(content === undefined ? {} : { content }), permission };
}

/**
 * Reads a file mode: `"0600"`, `"0o600"`, or a plain `0600` read as octal from its source text
 * (YAML 1.2 itself would read `0600` as decimal 600).
 */
function readPermission(r: Reader, node: YNode, path: string): number | null {
  const s: YScalar | null = node.kind === 'scalar' && node.value !== null ? node : null;
  const text =
    s === null ? null : typeof s.value === 'string' ? s.value : s.plain ? s.source : null;
  const m = text === null ? null : /^0o?([0-7]{1,4})$/.exec(text);
  const mode = m === null ? null : parseInt(m[1] as string, 8);
  if (mode === null || mode > 0o777) {
    r.sink.error(
      'CAS_POLICY_BAD_PERMISSION',
      path,
      node.offset,
      'permission is an octal mode up to 0777 written with a leading 0: "0600", "0o600" or 0600',
    );
    return null;
  }
  return mode;
}

/** `images[i]` path helper for callers. */
export function imagePath(i: number): string {
  return indexPath('images', i);
}
