import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

function files(dir: string, out: string[]): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files(path, out);
    else out.push(path);
  }
  return out;
}

/**
 * This build's measurement: SHA-256 over a manifest of every file of the installed program
 * (`dist/src` when built, else `src`) plus `package.json` and `package-lock.json`, each line
 * `<sha256>  <relative path>`, sorted. The same build gives the same value on every host; any
 * changed file gives another, and with it a new software key.
 */
export function computeMeasurement(packageRoot: string): string {
  const code = existsSync(join(packageRoot, 'dist', 'src'))
    ? join(packageRoot, 'dist', 'src')
    : join(packageRoot, 'src');
  const paths = files(code, []);
  for (const extra of ['package.json', 'package-lock.json']) {
    const path = join(packageRoot, extra);
    if (existsSync(path)) paths.push(path);
  }
  const manifest = paths
    .map(
      (p) =>
        `${createHash('sha256').update(readFileSync(p)).digest('hex')}  ${relative(packageRoot, p)}`,
    )
    .sort()
    .join('\n');
  return createHash('sha256').update(manifest).digest('hex');
}
