#!/usr/bin/env node
import { isCasError } from '../errors/cas-error.js';
import { runLas } from '../las/run-las.js';

try {
  const las = await runLas(
    process.argv.slice(2),
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
  );
  const stop = (): void => void las.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  if (isCasError(error)) {
    process.stderr.write(`Error: ${error.message} (${error.code})\n`);
    process.exit(error.exitCode);
  }
  throw error;
}
