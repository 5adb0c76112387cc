#!/usr/bin/env node
// Runs every test file under test/ (or under the paths given as arguments) with node:test.
// Node 20's runner does not discover .ts files in folders, so this script lists them itself
// and fails when the list is empty or when the runner reports that no test ran.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['test'];

function collect(path, out) {
  const st = statSync(path);
  if (st.isFile()) {
    if (path.endsWith('.test.ts')) out.push(path);
    return;
  }
  for (const entry of readdirSync(path).sort()) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    collect(join(path, entry), out);
  }
}

const files = [];
for (const root of roots) collect(root, files);
if (files.length === 0) {
  console.error(`run-tests: no *.test.ts files under ${roots.join(', ')}`);
  process.exit(1);
}

const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    ...files.map((f) => relative(process.cwd(), f)),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'test' } },
);

// The summary lines come before the list of failing tests, so keep the whole report.
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail += chunk.toString('utf8');
});
child.on('close', (code, signal) => {
  const last = (re) => [...tail.matchAll(re)].at(-1);
  const ran = last(/ℹ tests (\d+)/g);
  const passed = last(/ℹ pass (\d+)/g);
  const failed = last(/ℹ fail (\d+)/g);
  const skipped = last(/ℹ skipped (\d+)/g);
  if (ran === null || Number(ran[1]) === 0) {
    console.error('run-tests: the runner reported that no test ran');
    process.exit(1);
  }
  console.log(
    `${passed?.[1] ?? 0} passed, ${failed?.[1] ?? 0} failed, ${skipped?.[1] ?? 0} skipped`,
  );
  process.exit(signal === null ? (code ?? 1) : 1);
});
