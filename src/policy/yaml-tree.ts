import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import type { IssueSink } from './issue-sink.js';

/** A scalar with its parsed value and the exact text it was written as. */
export interface YScalar {
  readonly kind: 'scalar';
  readonly offset: number;
  readonly value: string | number | boolean | null;
  /** The source text of the value (for a plain `0644` that YAML 1.2 reads as decimal 644). */
  readonly source: string;
  readonly plain: boolean;
}

export interface YEntry {
  readonly key: string;
  readonly keyOffset: number;
  readonly value: YNode;
}

export interface YMap {
  readonly kind: 'map';
  readonly offset: number;
  readonly entries: readonly YEntry[];
}

export interface YSeq {
  readonly kind: 'seq';
  readonly offset: number;
  readonly items: readonly YNode[];
}

/** The parsed file as a small tree that keeps an offset on every node and key. */
export type YNode = YScalar | YMap | YSeq;

/** Limits against hostile input: nesting depth, alias expansions, and total nodes. */
export const YAML_LIMITS = { depth: 64, aliases: 100, nodes: 200_000 } as const;

class TooComplex extends Error {}

/** At most this many YAML syntax errors are reported. */
const MAX_YAML_ERRORS = 20;

/**
 * Parses one YAML 1.2 document into a {@link YNode} tree. Syntax errors, duplicate keys, custom
 * tags, more than one document and blown limits are reported to `sink`; the tree is null when
 * the document cannot be used.
 */
export function parseYamlTree(text: string, sink: IssueSink): YNode | null {
  const docs = parseAllDocuments(text, {
    version: '1.2',
    // Duplicate keys are found in `convert` with a set: the library's check is quadratic.
    uniqueKeys: false,
    prettyErrors: false,
    strict: true,
  });
  const list: Document[] = Array.isArray(docs) ? docs : [];
  if (list.length === 0) {
    sink.error('CAS_POLICY_YAML_INVALID', '', 0, 'the file is empty');
    return null;
  }
  let ok = true;
  let reported = 0;
  for (const doc of list) {
    for (const e of [...doc.errors, ...doc.warnings]) {
      ok = false;
      // A broken file can yield thousands of follow-on errors; the first ones are what helps.
      if (++reported > MAX_YAML_ERRORS) break;
      if (e.message.includes('call stack')) {
        sink.error('CAS_POLICY_TOO_COMPLEX', '', e.pos[0], 'the file nests too deeply to parse');
        break;
      }
      const code =
        e.code === 'DUPLICATE_KEY' ? 'CAS_POLICY_DUPLICATE_KEY' : 'CAS_POLICY_YAML_INVALID';
      sink.error(code, '', e.pos[0], e.message.split('\n')[0] ?? e.message);
    }
  }
  if (list.length > 1) {
    const second = list[1] as Document;
    sink.error(
      'CAS_POLICY_MULTIPLE_DOCUMENTS',
      '',
      second.range?.[0] ?? 0,
      `the file holds ${list.length} YAML documents; a session file holds exactly one`,
    );
    return null;
  }
  if (!ok) return null;
  const doc = list[0] as Document;
  const budget = { aliases: 0, nodes: 0 };
  try {
    return convert(doc.contents, doc, 0, budget, sink, 0);
  } catch (e) {
    if (!(e instanceof TooComplex)) throw e;
    sink.error('CAS_POLICY_TOO_COMPLEX', '', 0, e.message);
    return null;
  }
}

function convert(
  node: Node | null,
  doc: Document,
  depth: number,
  budget: { aliases: number; nodes: number },
  sink: IssueSink,
  fallbackOffset: number,
): YNode {
  if (depth > YAML_LIMITS.depth) {
    throw new TooComplex(`the file nests deeper than ${YAML_LIMITS.depth} levels`);
  }
  if (++budget.nodes > YAML_LIMITS.nodes) {
    throw new TooComplex(`the file expands to more than ${YAML_LIMITS.nodes} nodes`);
  }
  if (node === null || node === undefined) {
    return { kind: 'scalar', offset: fallbackOffset, value: null, source: '', plain: true };
  }
  if (isAlias(node)) {
    if (++budget.aliases > YAML_LIMITS.aliases) {
      throw new TooComplex(`the file uses more than ${YAML_LIMITS.aliases} aliases`);
    }
    const target = node.resolve(doc);
    return convert(target ?? null, doc, depth + 1, budget, sink, node.range?.[0] ?? 0);
  }
  const offset = node.range?.[0] ?? fallbackOffset;
  if (node.tag !== undefined && !node.tag.startsWith('tag:yaml.org,2002:')) {
    sink.error(
      'CAS_POLICY_YAML_INVALID',
      '',
      offset,
      `custom YAML tag ${node.tag} is not supported`,
    );
  }
  if (isMap(node)) {
    const entries: YEntry[] = [];
    const seen = new Set<string>();
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const keyOffset = keyNode?.range?.[0] ?? offset;
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
        sink.error('CAS_POLICY_WRONG_TYPE', '', keyOffset, 'a mapping key must be a plain string');
        continue;
      }
      const keyEnd = keyNode.range?.[1] ?? keyOffset;
      const value = convert(pair.value as Node | null, doc, depth + 1, budget, sink, keyEnd);
      const keyText =
        typeof keyNode.source === 'string' ? keyNode.source : JSON.stringify(keyNode.value);
      if (seen.has(keyText)) {
        sink.error(
          'CAS_POLICY_DUPLICATE_KEY',
          '',
          keyOffset,
          `the key "${keyText}" appears twice in this map`,
        );
      }
      seen.add(keyText);
      entries.push({ key: keyText, keyOffset, value });
    }
    return { kind: 'map', offset, entries };
  }
  if (isSeq(node)) {
    const items = node.items.map((item) =>
      convert(item as Node | null, doc, depth + 1, budget, sink, offset),
    );
    return { kind: 'seq', offset, items };
  }
  if (isScalar(node)) {
    const v = node.value;
    const value =
      typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null
        ? v
        : typeof v === 'bigint'
          ? v.toString()
          : null;
    const plain = node.type === 'PLAIN' || node.type === undefined;
    const source = typeof node.source === 'string' ? node.source : String(value);
    return { kind: 'scalar', offset, value, source, plain };
  }
  sink.error('CAS_POLICY_YAML_INVALID', '', offset, 'unsupported YAML node');
  return { kind: 'scalar', offset, value: null, source: '', plain: true };
}
