import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import type { CollateralFileSystem } from '../../../src/collateral/collateral-file-cache.js';
import { isCasError } from '../../../src/errors/cas-error.js';

/** The node file system, counting the files read. */
export function countingFs(): CollateralFileSystem & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    stat: (path) => stat(path, { bigint: true }),
    readFile: (path) => {
      reads.push(path);
      return readFile(path);
    },
  };
}

/**
 * The shared SGX vectors' collateral JSON (`dcapqvl_sgx_quote_collateral.json`) as fresher
 * collateral would be: its TCB info at evaluation data number 19 instead of 17 (the TCB info
 * signature then no longer matches, which a cache or a directory lookup does not check).
 */
export function newerEvaluation(collateralJson: string): string {
  const json = JSON.parse(collateralJson) as Record<string, string>;
  json['tcb_info'] = json['tcb_info']!.replace(
    '"tcbEvaluationDataNumber":17',
    '"tcbEvaluationDataNumber":19',
  );
  return JSON.stringify(json);
}

/** The CasError `run` fails with, as `{code, message}` to compare a cached with an uncached one. */
export async function failure(
  run: () => Promise<unknown>,
): Promise<{ code: string; message: string }> {
  try {
    await run();
  } catch (e) {
    assert.ok(isCasError(e), String(e));
    return { code: e.code, message: e.message };
  }
  assert.fail('expected a failure');
}
