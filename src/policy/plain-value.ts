import type { YNode } from './yaml-tree.js';

/**
 * The plain data of a YAML subtree (for config-fragment values), or undefined when it holds a
 * number that JSON cannot carry (`.inf`, `.nan`). Maps become objects with own data properties
 * only, so a key `__proto__` is just a key.
 */
export function plainValue(node: YNode): unknown {
  if (node.kind === 'scalar') {
    return typeof node.value === 'number' && !Number.isFinite(node.value) ? undefined : node.value;
  }
  if (node.kind === 'seq') {
    const out: unknown[] = [];
    for (const item of node.items) {
      const v = plainValue(item);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }
  const entries: Array<[string, unknown]> = [];
  for (const e of node.entries) {
    const v = plainValue(e.value);
    if (v === undefined) return undefined;
    entries.push([e.key, v]);
  }
  return Object.fromEntries(entries);
}
