/**
 * Everything the CLI takes from the process, as a port: the composition root
 * (`src/bin/scone.ts`) passes the real process, tests pass their own.
 */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The user's home directory (for `~/.cas/config.json`). */
  readonly homedir: string;
  writeOut(text: string): void;
  writeErr(text: string): void;
  /** Reads all of standard input (for `FILE` arguments given as `-`). */
  readStdin(): Promise<string>;
  now(): Date;
}
