/**
 * Positions in a session file. Template substitution changes the text before YAML parsing, so
 * every offset in the parsed text is mapped back to the file the user wrote: issues always
 * point at the user's line and column.
 */

/** One piece of the substituted text: copied from the source, or a variable's value. */
export interface Segment {
  /** Start in the substituted text. */
  readonly outStart: number;
  /** Start in the source text. */
  readonly srcStart: number;
  readonly length: number;
  /** True when the piece is a variable's value (all of it maps to the variable's position). */
  readonly replaced: boolean;
}

/** A 1-based line and column. */
export interface LineCol {
  readonly line: number;
  readonly column: number;
}

/** Maps offsets of the substituted text to lines and columns of the source text. */
export class SourceMap {
  readonly #segments: readonly Segment[];
  readonly #lineStarts: number[] = [0];

  constructor(source: string, segments: readonly Segment[]) {
    this.#segments = segments;
    for (let i = 0; i < source.length; i++) {
      if (source.charCodeAt(i) === 10) this.#lineStarts.push(i + 1);
    }
  }

  /** The source offset of a substituted-text offset. */
  sourceOffset(outOffset: number): number {
    const segs = this.#segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((segs[mid] as Segment).outStart <= outOffset) lo = mid;
      else hi = mid - 1;
    }
    const seg = segs[lo];
    if (seg === undefined) return outOffset;
    if (seg.replaced) return seg.srcStart;
    return seg.srcStart + Math.max(0, outOffset - seg.outStart);
  }

  /** Line and column (1-based) in the source text of a source offset. */
  lineColOfSource(srcOffset: number): LineCol {
    const starts = this.#lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= srcOffset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: srcOffset - (starts[lo] as number) + 1 };
  }

  /** Line and column in the source text of an offset in the substituted text. */
  lineCol(outOffset: number): LineCol {
    return this.lineColOfSource(this.sourceOffset(outOffset));
  }
}
