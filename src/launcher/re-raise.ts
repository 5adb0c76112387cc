import { constants } from 'node:os';

/** Ends this process with `signal`, as the program ended (default action, no handler). */
export function reRaise(signal: NodeJS.Signals): never {
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
  // Delivered at once when it terminates; for one that does not, the shell's convention.
  process.exit(128 + (constants.signals[signal] ?? 0));
}

/**
 * Until the returned function is called: a terminating signal (those cas-run forwards, except
 * SIGWINCH) runs `cleanup` and then ends this process with that signal. Covers the time before
 * the program runs, when there is no child yet to forward signals to.
 */
export function cleanupOnSignal(
  signals: readonly NodeJS.Signals[],
  cleanup: () => void,
): () => void {
  const handlers = signals
    .filter((s) => s !== 'SIGWINCH')
    .map((signal) => {
      const handler = (): void => {
        cleanup();
        reRaise(signal);
      };
      process.on(signal, handler);
      return [signal, handler] as const;
    });
  return () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
}
