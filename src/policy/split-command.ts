/**
 * Splits a command string into argv with shell-like quoting: white space separates words;
 * `'...'` is literal; `"..."` keeps white space and honours `\"`, `\\`, `\$` and `` \` ``;
 * a backslash outside quotes escapes the next character. Nothing is expanded (`$` is kept, so
 * `$$SCONE::x$$` placeholders pass through).
 *
 * @returns the words, or an error message for an unterminated quote or trailing backslash.
 */
export function splitCommand(command: string): { argv: string[] } | { error: string } {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < command.length) {
    const c = command[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) return { error: 'unterminated single quote' };
      word += command.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= command.length) return { error: 'unterminated double quote' };
        const d = command[i] as string;
        if (d === '"') break;
        const next = command[i + 1];
        if (d === '\\' && next !== undefined && '"\\$`'.includes(next)) {
          word += next;
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      inWord = true;
      i++;
    } else if (c === '\\') {
      const next = command[i + 1];
      if (next === undefined) return { error: 'trailing backslash' };
      word += next;
      inWord = true;
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) argv.push(word);
  return { argv };
}
