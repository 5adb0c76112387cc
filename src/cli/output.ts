/**
 * How a command prints its result: human-readable lines, or with `--json` one JSON document on
 * stdout. Commands call {@link Output.result} once, with both forms, so the two never drift.
 */
export interface Output {
  readonly json: boolean;
  /** Prints `value` as JSON with `--json`, else the text lines. */
  result(value: unknown, text: string | readonly string[]): void;
  /** A progress or informational line on stdout, in text mode only. */
  info(line: string): void;
  /** A warning on stderr (`Warning: ...`), in both modes. */
  warn(message: string): void;
}

/** Creates the {@link Output} of one command run. */
export function createOutput(options: {
  readonly json: boolean;
  readonly writeOut: (text: string) => void;
  readonly writeErr: (text: string) => void;
}): Output {
  const { json, writeOut, writeErr } = options;
  return {
    json,
    result(value, text) {
      if (json) writeOut(`${JSON.stringify(value, null, 2)}\n`);
      else writeOut(lines(text));
    },
    info(line) {
      if (!json) writeOut(lines(line));
    },
    warn(message) {
      writeErr(`Warning: ${message}\n`);
    },
  };
}

function lines(text: string | readonly string[]): string {
  const all = typeof text === 'string' ? [text] : text;
  return all.map((l) => (l.endsWith('\n') ? l : `${l}\n`)).join('');
}
