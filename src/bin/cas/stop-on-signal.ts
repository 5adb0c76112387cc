/** On SIGINT or SIGTERM: runs `close`, then exits 0. */
export function stopOnSignal(close: () => Promise<void>): void {
  const stop = (): void => void close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
