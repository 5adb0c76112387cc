#!/usr/bin/env node
// Composition root of the `scone` CLI: binds the real process to the CLI and its commands.
import { homedir } from 'node:os';
import { sconeCommands } from '../cli/commands/index.js';
import { runCli } from '../cli/main.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// A closed pipe (`scone ... | head`) ends the output quietly instead of with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

process.exitCode = await runCli(
  process.argv.slice(2),
  {
    env: process.env,
    homedir: homedir(),
    writeOut: (text) => process.stdout.write(text),
    writeErr: (text) => process.stderr.write(text),
    readStdin,
    now: () => new Date(),
  },
  sconeCommands,
);
