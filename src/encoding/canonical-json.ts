/**
 * Canonical JSON (RFC 8785 style) of plain data: object keys sorted by UTF-16 code units, no
 * insignificant white space, numbers in ECMAScript form, `undefined` members omitted. The same
 * data always gives the same text, which is what the session hash needs.
 *
 * @throws TypeError for non-finite numbers, bigints, functions, symbols, cycles and `undefined`
 *   at the top or inside arrays (programmer misuse: the input is not JSON data).
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, stack: Set<object>): string {
  // Exhaustive switch below; the final throw only satisfies the compiler.
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'object':
      return writeObject(value, stack);
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
  }
  throw new TypeError('canonicalJson: unreachable');
}

function writeObject(value: object, stack: Set<object>): string {
  if (stack.has(value)) throw new TypeError('canonicalJson: cyclic structure');
  stack.add(value);
  try {
    if (Array.isArray(value)) {
      return `[${value
        .map((v: unknown) => {
          if (v === undefined) throw new TypeError('canonicalJson: undefined inside an array');
          return write(v, stack);
        })
        .join(',')}]`;
    }
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, as RFC 8785 requires.
    const keys = Object.keys(record).sort();
    const parts: string[] = [];
    for (const key of keys) {
      const v = record[key];
      if (v === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${write(v, stack)}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    stack.delete(value);
  }
}
