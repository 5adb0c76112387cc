import { keyHashOfPem, isKeyHash } from '../crypto/key-hash.js';
import { keyPath } from './issue-sink.js';
import { asMap, asString, listItems, readFields, type Fields, type Reader } from './read-node.js';
import type { AccessPolicy, PolicyEntry } from './types.js';
import type { YNode } from './yaml-tree.js';

const OPS = ['read', 'update', 'create_sessions', 'list_sessions'] as const;
const GOVERNANCE =
  'signer entries and require-all / require-at-least-N groups (governance) are not implemented yet';
const FRAGMENT =
  'access policies taken from a `$$SCONE::...$$` placeholder are not implemented yet';
const DEFAULT: readonly PolicyEntry[] = ['CREATOR'];

/** Reads `access_policy` and fills SCONE's defaults. */
export function readAccessPolicy(r: Reader, node: YNode | undefined, path: string): AccessPolicy {
  const ops: Partial<Record<(typeof OPS)[number], PolicyEntry[]>> = {};
  if (node !== undefined) {
    if (isFragment(node)) {
      r.sink.error(
        'CAS_POLICY_UNSUPPORTED_KEY',
        path,
        node.offset,
        `\`access_policy\`: ${FRAGMENT}`,
      );
    } else {
      const map = asMap(r, node, path);
      const f: Fields = map === null ? new Map() : readFields(r, map, path, { known: [...OPS] });
      for (const op of OPS) {
        const e = f.get(op);
        if (e !== undefined) ops[op] = readEntries(r, e.value, keyPath(path, op), op);
      }
    }
  }
  const read = ops.read ?? DEFAULT;
  const update = ops.update ?? DEFAULT;
  return {
    read,
    update,
    create_sessions: ops.create_sessions ?? update,
    list_sessions: ops.list_sessions ?? read,
  };
}

function isFragment(node: YNode): boolean {
  return (
    node.kind === 'scalar' && typeof node.value === 'string' && node.value.includes('$$SCONE::')
  );
}

function readEntries(r: Reader, node: YNode, path: string, op: string): PolicyEntry[] {
  if (isFragment(node)) {
    r.sink.error('CAS_POLICY_UNSUPPORTED_KEY', path, node.offset, `\`${op}\`: ${FRAGMENT}`);
    return [];
  }
  const out: PolicyEntry[] = [];
  const items = listItems(r, node, path, true) ?? [];
  if (items.length === 0) {
    r.sink.error(
      'CAS_POLICY_BAD_ACCESS_ENTRY',
      path,
      node.offset,
      `\`${op}\` is empty; write NONE to allow nobody`,
    );
  }
  for (const item of items) {
    const e = readEntry(r, item.node, item.path, op);
    if (e !== null) out.push(e);
  }
  const alone = out.find((e) => e === 'ANY' || e === 'NONE');
  if (alone !== undefined && items.length > 1) {
    r.sink.error(
      'CAS_POLICY_BAD_ACCESS_ENTRY',
      path,
      node.offset,
      `${alone} must be the only entry of \`${op}\``,
    );
  }
  return out;
}

function readEntry(r: Reader, node: YNode, path: string, op: string): PolicyEntry | null {
  if (node.kind === 'map') {
    const first = node.entries[0]?.key ?? '';
    if (first === 'signer' || first.startsWith('require-')) {
      r.sink.error(
        'CAS_POLICY_UNSUPPORTED_KEY',
        path,
        node.offset,
        `\`${first}\` in \`${op}\`: ${GOVERNANCE}`,
      );
      return null;
    }
    readFields(r, node, path, { known: [] });
    return null;
  }
  const s = asString(r, node, path);
  if (s === null) return null;
  if (s === 'CREATOR' || s === 'ANY' || s === 'NONE') return s;
  if (s.includes('$$SCONE::')) {
    r.sink.error(
      'CAS_POLICY_UNSUPPORTED_KEY',
      path,
      node.offset,
      `an entry of \`${op}\` taken from a placeholder is not implemented yet`,
    );
    return null;
  }
  if (s.includes('-----BEGIN')) {
    try {
      return { key_hash: keyHashOfPem(s) };
    } catch {
      r.sink.error(
        'CAS_POLICY_BAD_ACCESS_ENTRY',
        path,
        node.offset,
        'the PEM entry is not a readable certificate or public key',
      );
      return null;
    }
  }
  if (isKeyHash(s.trim())) return { key_hash: s.trim() };
  r.sink.error(
    'CAS_POLICY_BAD_ACCESS_ENTRY',
    path,
    node.offset,
    `"${s.length > 60 ? `${s.slice(0, 60)}…` : s}" is not CREATOR, ANY, NONE, a key hash or a PEM certificate`,
  );
  return null;
}
