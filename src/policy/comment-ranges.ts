import { Lexer } from 'yaml';

/** Control tokens the YAML lexer emits that do not come from the source text. */
const CONTROL_TOKENS = new Set(['\u0002', '\u0018', '\u001f']);

/**
 * The `[start, end)` ranges of YAML comments in `text`. Template variables inside comments are
 * not substituted (a commented-out `#$PLATFORM_IDS` slot must not demand a value). When the
 * lexer's tokens do not add up to the text (never seen; defensive), no comments are reported,
 * so substitution then covers the whole text and a missing variable is still reported.
 */
export function commentRanges(text: string): Array<readonly [number, number]> {
  const ranges: Array<readonly [number, number]> = [];
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token.length === 1 && CONTROL_TOKENS.has(token)) continue;
    if (text.startsWith(token, offset)) {
      if (token.startsWith('#')) ranges.push([offset, offset + token.length]);
      offset += token.length;
    } else {
      return [];
    }
  }
  return offset === text.length ? ranges : [];
}
