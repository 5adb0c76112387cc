import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/**
 * The shared data folder beside the repository (`../shared`), or null in a clone elsewhere.
 * Tests never copy from it; they read it in place or make their own data.
 */
export function sharedDir(...parts: string[]): string | null {
  const root = join(process.cwd(), '..', 'shared');
  if (!existsSync(root)) return null;
  const path = join(root, ...parts);
  return existsSync(path) ? path : null;
}

/** Skips a test with one clear line when the shared folder (or a part of it) is absent. */
export function requireShared(t: TestContext, ...parts: string[]): string | null {
  const path = sharedDir(...parts);
  if (path === null) {
    t.skip(`skipped: ../shared/${parts.join('/')} is not present in this clone`);
  }
  return path;
}
