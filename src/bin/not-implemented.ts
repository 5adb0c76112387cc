/** Prints the "not built yet" message for a binary whose commands are still to come. */
export function notImplemented(binary: string): never {
  process.stderr.write(`Error: ${binary} is not implemented yet (CAS_NOT_IMPLEMENTED)\n`);
  process.exit(1);
}
