import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { runBin } from './bin.js';
import { requireShared } from './shared.js';

/** One run of `scone evidence verify` on a test vector and what it must print. */
export interface VerifyCase {
  readonly name: string;
  /** The evidence file, relative to the test vectors folder (or absolute). */
  readonly file: string;
  /** `--type`. */
  readonly type: string;
  /** `--collateral`, a file or folder relative to the test vectors; not passed when absent. */
  readonly collateral?: string;
  /** `--at` (unix seconds or ISO 8601); not passed when absent. */
  readonly at?: string;
  /** Further arguments after the others (`--allow-debug`, `--json`, `--expect-report-data` …). */
  readonly flags?: readonly string[];
  readonly exit: number;
  /** On exit 0: claims of the printed JSON (dotted paths) and their values. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** On any other exit: the code stderr must name (stdout must be empty). */
  readonly code?: string;
}

/** The value at a dotted `path` (`measurements.mrtd`) of parsed JSON. */
function claimAt(json: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], json);
}

/**
 * Runs `scone evidence verify` for `c` with the test vectors at `root` and asserts its exit code,
 * then its claims (exit 0) or its coded reason on stderr and nothing on stdout (any other exit).
 */
export async function runVerifyCase(root: string, c: VerifyCase): Promise<void> {
  const args = ['evidence', 'verify', resolve(root, c.file), '--type', c.type];
  if (c.collateral !== undefined) args.push('--collateral', resolve(root, c.collateral));
  if (c.at !== undefined) args.push('--at', c.at);
  const r = await runBin('scone', [...args, ...(c.flags ?? [])]);
  assert.equal(r.code, c.exit, `${c.name}: ${r.stderr}`);
  if (c.exit === 0) {
    const printed = JSON.parse(r.stdout) as unknown;
    for (const [path, value] of Object.entries(c.claims ?? {})) {
      assert.deepEqual(claimAt(printed, path), value, `${c.name}: ${path}`);
    }
    return;
  }
  assert.ok(c.code !== undefined, `${c.name}: a refusal names its code`);
  assert.match(r.stderr, new RegExp(c.code), c.name);
  assert.equal(r.stdout, '', c.name);
}

/**
 * Registers the test `name` with one subtest per case (named after it), skipped with one line
 * when the shared test vectors are absent.
 */
export function verifyCaseTest(name: string, cases: readonly VerifyCase[]): void {
  test(name, async (t) => {
    const root = requireShared(t, 'testvectors');
    if (root === null) return;
    for (const c of cases) await t.test(c.name, () => runVerifyCase(root, c));
  });
}
