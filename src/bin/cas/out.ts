/** Prints one line for the operator on stdout. */
export const out = (line: string): void => void process.stdout.write(`${line}\n`);
