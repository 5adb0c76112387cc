#!/usr/bin/env node
// Entry of the `cas` server: runs the command line (src/bin/cas/) and turns its errors into
// exit codes (1 usage, a CasError's own code, 4 anything else).
import { CommanderError } from 'commander';
import { isCasError } from '../errors/cas-error.js';
import { casProgram } from './cas/cas-program.js';

try {
  await casProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 1);
  if (isCasError(error)) {
    process.stderr.write(`Error: ${error.message} (${error.code})\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(4);
}
