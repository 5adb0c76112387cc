import { indexPath, keyPath, type IssueSink } from './issue-sink.js';
import type { YEntry, YMap, YNode, YScalar } from './yaml-tree.js';

/** The fields of one map, by key, after unknown and unsupported keys were reported. */
export type Fields = ReadonlyMap<string, YEntry>;

/** Describes the keys a map may have. */
export interface KeySpec {
  readonly known: readonly string[];
  /** SCONE keys we refuse for now, with why (appended to the message). */
  readonly unsupported?: Readonly<Record<string, string>>;
}

/** Shared reader state: where issues go. */
export interface Reader {
  readonly sink: IssueSink;
  /** The substituted text the tree was parsed from (to locate placeholders inside values). */
  readonly text: string;
}

function typeName(node: YNode): string {
  if (node.kind === 'map') return 'a map';
  if (node.kind === 'seq') return 'a list';
  if (node.value === null) return 'nothing (null)';
  return `a ${typeof node.value}`;
}

/** The node as a map, or null after reporting a type error. */
export function asMap(r: Reader, node: YNode, path: string): YMap | null {
  if (node.kind === 'map') return node;
  r.sink.error(
    'CAS_POLICY_WRONG_TYPE',
    path,
    node.offset,
    `expected a map, found ${typeName(node)}`,
  );
  return null;
}

/** Reports unknown and unsupported keys of `map` and returns the known ones. */
export function readFields(r: Reader, map: YMap, path: string, spec: KeySpec): Fields {
  const fields = new Map<string, YEntry>();
  for (const entry of map.entries) {
    const p = keyPath(path, entry.key);
    const why = spec.unsupported?.[entry.key];
    if (why !== undefined) {
      r.sink.error(
        'CAS_POLICY_UNSUPPORTED_KEY',
        p,
        entry.keyOffset,
        `\`${entry.key}\` is not supported: ${why}`,
      );
    } else if (!spec.known.includes(entry.key)) {
      r.sink.error(
        'CAS_POLICY_UNKNOWN_KEY',
        p,
        entry.keyOffset,
        `unknown key \`${entry.key}\`${path === '' ? '' : ` in ${path}`}; allowed: ${spec.known.join(', ')}`,
      );
    } else {
      fields.set(entry.key, entry);
    }
  }
  return fields;
}

/** Reports a missing required key at the map. */
export function requireField(
  r: Reader,
  fields: Fields,
  map: YMap,
  path: string,
  key: string,
): YEntry | undefined {
  const entry = fields.get(key);
  if (entry === undefined) {
    r.sink.error(
      'CAS_POLICY_MISSING_KEY',
      keyPath(path, key),
      map.offset,
      `\`${key}\` is required`,
    );
  }
  return entry;
}

/**
 * A scalar as a string. Plain numbers and booleans count as the text they were written as
 * (`SCONE_LOG: 7` is the string "7"), since YAML typing of such values is an accident.
 */
export function asString(r: Reader, node: YNode, path: string): string | null {
  if (node.kind === 'scalar' && node.value !== null) {
    return typeof node.value === 'string' ? node.value : node.source;
  }
  r.sink.error(
    'CAS_POLICY_WRONG_TYPE',
    path,
    node.offset,
    `expected a string, found ${typeName(node)}`,
  );
  return null;
}

/** A boolean scalar. */
export function asBool(r: Reader, node: YNode, path: string): boolean | null {
  if (node.kind === 'scalar' && typeof node.value === 'boolean') return node.value;
  r.sink.error(
    'CAS_POLICY_WRONG_TYPE',
    path,
    node.offset,
    `expected true or false, found ${typeName(node)}`,
  );
  return null;
}

/** An integer in `[min, max]`; a decimal digit string is accepted too (template variables). */
export function asInt(
  r: Reader,
  node: YNode,
  path: string,
  min: number,
  max: number,
): number | null {
  let n: number | null = null;
  if (node.kind === 'scalar') {
    if (typeof node.value === 'number' && Number.isInteger(node.value)) n = node.value;
    else if (typeof node.value === 'string' && /^[0-9]{1,15}$/.test(node.value))
      n = Number(node.value);
  }
  if (n === null) {
    r.sink.error(
      'CAS_POLICY_WRONG_TYPE',
      path,
      node.offset,
      `expected an integer, found ${typeName(node)}`,
    );
    return null;
  }
  if (n < min || n > max) {
    r.sink.error(
      'CAS_POLICY_BAD_VALUE',
      path,
      node.offset,
      `expected an integer from ${min} to ${max}, found ${n}`,
    );
    return null;
  }
  return n;
}

/** A list's items with their paths. A single non-list value is accepted as a list of one when `lenient`. */
export function listItems(
  r: Reader,
  node: YNode,
  path: string,
  lenient = false,
): Array<{ node: YNode; path: string }> | null {
  if (node.kind === 'seq') return node.items.map((n, i) => ({ node: n, path: indexPath(path, i) }));
  if (lenient && !(node.kind === 'scalar' && node.value === null)) return [{ node, path }];
  r.sink.error(
    'CAS_POLICY_WRONG_TYPE',
    path,
    node.offset,
    `expected a list, found ${typeName(node)}`,
  );
  return null;
}

/** The scalar if `node` is one. */
export function scalarOf(node: YNode): YScalar | null {
  return node.kind === 'scalar' ? node : null;
}

const HEX = /^[0-9a-fA-F]*$/;

/** A hex string of exactly `chars` characters, lowercased. */
export function asHex(r: Reader, node: YNode, path: string, chars: number): string | null {
  const s = asString(r, node, path);
  if (s === null) return null;
  if (s.length !== chars || !HEX.test(s)) {
    const shown = s.length > 24 ? `${s.slice(0, 24)}…` : s;
    r.sink.error(
      'CAS_POLICY_BAD_HEX',
      path,
      node.offset,
      `expected ${chars} hex characters, found "${shown}" (${s.length} characters)`,
    );
    return null;
  }
  return s.toLowerCase();
}

/** A string that must be one of `allowed` (an enumeration such as `key_type`). */
export function asOneOf<T extends string>(
  r: Reader,
  node: YNode,
  path: string,
  allowed: readonly T[],
): T | null {
  const s = asString(r, node, path);
  if (s === null) return null;
  const found = allowed.find((x) => x === s);
  if (found === undefined) {
    const shown = s.length > 40 ? `${s.slice(0, 40)}…` : s;
    r.sink.error(
      'CAS_POLICY_BAD_VALUE',
      path,
      node.offset,
      `expected one of ${allowed.join(', ')}, found "${shown}"`,
    );
  }
  return found ?? null;
}
