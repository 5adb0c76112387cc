import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { SecretKind, SecretSpec } from '../../../src/policy/types.js';
import type { DataOfKind } from '../../../src/secrets/resolve-reference.js';
import { CasError } from '../../../src/errors/cas-error.js';
import { generateSecrets } from '../../../src/secrets/generate-secrets.js';
import type { GenerateContext, SecretPorts } from '../../../src/secrets/generator.js';
import type { SecretValue } from '../../../src/secrets/secret-value.js';

/** The fixed clock of these tests. */
export const NOW = new Date('2026-06-01T12:00:00.000Z');

/** Ports with real randomness and the fixed clock (or another one). */
export function ports(now: Date = NOW): SecretPorts {
  return { randomBytes: (n) => randomBytes(n), now };
}

/** A generation context whose references resolve from a map. */
export function context(
  values: ReadonlyMap<string, SecretValue> = new Map(),
  now: Date = NOW,
): GenerateContext {
  return { ...ports(now), resolve: (name) => values.get(name) };
}

/** Generates a list of specs and returns the value map. */
export async function generateAll(
  specs: readonly SecretSpec[],
  now: Date = NOW,
): Promise<Map<string, SecretValue>> {
  return (await generateSecrets(specs, ports(now))).values;
}

/** Asserts that a function (sync or async) throws a CasError with a code. */
export async function rejectsWithCode(
  fn: () => unknown,
  code: string,
  messageIncludes?: string,
): Promise<CasError> {
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof CasError, `expected a CasError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (messageIncludes !== undefined)
    assert.ok(caught.message.includes(messageIncludes), caught.message);
  return caught;
}

/** The stored data of a value, narrowed to a kind. */
export function dataOf<K extends SecretKind>(
  value: SecretValue | undefined,
  kind: K,
): DataOfKind<K> {
  assert.ok(value !== undefined, 'value missing');
  const d = value.reveal();
  assert.equal(d.kind, kind);
  return d as DataOfKind<K>;
}
