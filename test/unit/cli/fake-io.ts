import { sconeCommands } from '../../../src/cli/commands/index.js';
import { runCli, type CommandRegistry } from '../../../src/cli/main.js';

/** What one in-process `scone` run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with captured output and the given environment. */
export async function cli(
  argv: readonly string[],
  options: {
    readonly env?: Record<string, string | undefined>;
    readonly home?: string;
    readonly stdin?: string;
    readonly registry?: CommandRegistry;
  } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    argv,
    {
      env: options.env ?? {},
      homedir: options.home ?? '/nonexistent-home',
      writeOut: (text) => (stdout += text),
      writeErr: (text) => (stderr += text),
      readStdin: () => Promise.resolve(options.stdin ?? ''),
      now: () => new Date('2026-01-01T00:00:00Z'),
    },
    options.registry ?? sconeCommands,
  );
  return { code, stdout, stderr };
}
