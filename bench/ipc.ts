// The child side of the bench's IPC: the orchestrator (bench/run.mjs) sends
// `{ id, cmd, args }` and gets back `{ id, ok, result }` or `{ id, ok: false, error }`.

/** A command handler of a bench child process. */
export type Handler = (args: Record<string, unknown>) => Promise<unknown>;

/** Serves `handlers` over the IPC channel until the parent disconnects. */
export function serveIpc(handlers: Record<string, Handler>): void {
  if (process.send === undefined) throw new Error('start this file with child_process.fork');
  const send = process.send.bind(process);
  process.on('message', (message: { id: number; cmd: string; args?: Record<string, unknown> }) => {
    const handler = handlers[message.cmd];
    const run =
      handler === undefined
        ? Promise.reject(new Error(`unknown command ${message.cmd}`))
        : handler(message.args ?? {});
    run.then(
      (result) => send({ id: message.id, ok: true, result }),
      (error: unknown) =>
        send({
          id: message.id,
          ok: false,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  // A clean exit also writes the --cpu-prof profile, when one was asked for.
  process.once('SIGTERM', () => process.exit(0));
}
