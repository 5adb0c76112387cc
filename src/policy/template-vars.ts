import type { Segment } from './source-map.js';

/** A template variable with no value, with its source offset. */
export interface MissingVariable {
  readonly name: string;
  readonly offset: number;
}

/** What {@link substituteTemplateVars} returns. */
export interface Substitution {
  readonly text: string;
  readonly segments: readonly Segment[];
  readonly missing: readonly MissingVariable[];
}

const NAME_START = /[A-Za-z_]/;
const NAME_REST = /[A-Za-z0-9_]/;

/**
 * Replaces `$NAME` and `${NAME}` with values from `lookup`, as the SCONE CLI does before it
 * parses the file: purely textual, so a value may carry YAML (whole-line variables).
 * `$$` is never the start of a variable: it is kept as is, which keeps `$$SCONE::x$$`
 * placeholders intact. A `$` not followed by a name is kept. Text inside `comments` ranges is
 * copied unchanged (variables in comments are not demanded).
 */
export function substituteTemplateVars(
  text: string,
  lookup: (name: string) => string | undefined,
  comments: ReadonlyArray<readonly [number, number]> = [],
): Substitution {
  const segments: Segment[] = [];
  const missing: MissingVariable[] = [];
  const out: string[] = [];
  let outLen = 0;
  let copyFrom = 0;
  let comment = 0;

  const copyUntil = (end: number): void => {
    if (end > copyFrom) {
      segments.push({
        outStart: outLen,
        srcStart: copyFrom,
        length: end - copyFrom,
        replaced: false,
      });
      out.push(text.slice(copyFrom, end));
      outLen += end - copyFrom;
    }
  };

  let i = 0;
  while (i < text.length) {
    const range = comments[comment];
    if (range !== undefined && i >= range[0]) {
      if (i < range[1]) {
        i = range[1];
        continue;
      }
      comment++;
      continue;
    }
    if (text.charCodeAt(i) !== 36 /* $ */) {
      i++;
      continue;
    }
    if (text.charCodeAt(i + 1) === 36) {
      i += 2;
      continue;
    }
    const found = variableAt(text, i);
    if (found === null) {
      i++;
      continue;
    }
    copyUntil(i);
    const value = lookup(found.name);
    if (value === undefined) {
      missing.push({ name: found.name, offset: i });
      // Keep the original text so parsing can still report other problems.
      segments.push({ outStart: outLen, srcStart: i, length: found.end - i, replaced: false });
      out.push(text.slice(i, found.end));
      outLen += found.end - i;
    } else {
      segments.push({ outStart: outLen, srcStart: i, length: value.length, replaced: true });
      out.push(value);
      outLen += value.length;
    }
    i = found.end;
    copyFrom = i;
  }
  copyUntil(text.length);
  return { text: out.join(''), segments, missing };
}

/** The variable starting at `text[i] === '$'`, or null when none does. */
function variableAt(text: string, i: number): { name: string; end: number } | null {
  if (text[i + 1] === '{') {
    let j = i + 2;
    if (!NAME_START.test(text[j] ?? '')) return null;
    while (NAME_REST.test(text[j] ?? '')) j++;
    if (text[j] !== '}') return null;
    return { name: text.slice(i + 2, j), end: j + 1 };
  }
  let j = i + 1;
  if (!NAME_START.test(text[j] ?? '')) return null;
  while (NAME_REST.test(text[j] ?? '')) j++;
  return { name: text.slice(i + 1, j), end: j };
}
