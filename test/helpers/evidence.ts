import assert from 'node:assert/strict';
import { CasError } from '../../src/errors/cas-error.js';

/** 'OK' when the verification succeeds, else the code of the CasError it must throw. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    assert.ok(error instanceof CasError, `not a CasError: ${String(error)}`);
    return error.code;
  }
}

/** {@link codeOf} for synchronous checks. */
export function codeOfSync(run: () => unknown): string {
  try {
    run();
    return 'OK';
  } catch (error) {
    assert.ok(error instanceof CasError, `not a CasError: ${String(error)}`);
    return error.code;
  }
}

/** A copy of `bytes` with the byte at `offset` XORed with `mask`. */
export function flipped(bytes: Uint8Array, offset: number, mask = 1): Uint8Array {
  const copy = bytes.slice();
  copy[offset]! ^= mask;
  return copy;
}
