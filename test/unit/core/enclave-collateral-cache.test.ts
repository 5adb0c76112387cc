import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { IntelCollateral } from '../../../src/attestation/intel/collateral.js';
import { CollateralFileCache } from '../../../src/collateral/collateral-file-cache.js';
import { loadDcapCollateral } from '../../../src/collateral/dcap-collateral-source.js';
import { enclaveDeps } from '../../../src/core/enclave-deps.js';
import { isCasError } from '../../../src/errors/cas-error.js';
import { requireShared } from '../../helpers/shared.js';
import { provisionedRuntime } from './provisioned-runtime.js';
import { tempDir } from '../../helpers/temp-dir.js';

test('the enclave API reads [dcap] collateral_dir files once per version, not per attestation', async (t) => {
  const root = requireShared(t, 'testvectors', 'sgx');
  if (root === null) return;
  const dir = tempDir(t, 'cas-enclave-collateral-');
  const file = join(dir, 'sgx.json');
  copyFileSync(join(root, 'dcapqvl_sgx_quote_collateral.json'), file);
  const quote = new Uint8Array(readFileSync(join(root, 'dcapqvl_sgx_quote.bin')));
  const rt = await provisionedRuntime(undefined, `[dcap]\ncollateral_dir = "${dir}"\n`);
  const reads: string[] = [];
  const collateralFiles = new CollateralFileCache({
    fs: {
      stat: (path) => stat(path, { bigint: true }),
      readFile: (path) => {
        reads.push(path);
        return readFile(path);
      },
    },
  });
  const deps = enclaveDeps(rt, { collateralFiles });
  const lookup = async () => (await deps.collateralFor!('sgx-dcap', quote)) as IntelCollateral;
  const first = await lookup();
  assert.deepEqual(await lookup(), first);
  assert.deepEqual(reads, [file]);
  // an operator drops in fresh collateral: the next attestation uses it, no restart
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  json['tcb_info'] = json['tcb_info']!.replace(
    '"tcbEvaluationDataNumber":17',
    '"tcbEvaluationDataNumber":19',
  );
  writeFileSync(file, JSON.stringify(json));
  assert.match(Buffer.from((await lookup()).tcbInfo).toString(), /"tcbEvaluationDataNumber":19/);
  assert.deepEqual(reads, [file, file]);
  // removed: the same refusal as an uncached read gives
  unlinkSync(file);
  const error = async (run: () => Promise<unknown>) =>
    run().then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => (isCasError(e) ? { code: e.code, message: e.message } : e),
    );
  const cached = await error(lookup);
  assert.deepEqual(cached, await error(() => loadDcapCollateral(dir, quote)));
  assert.equal((cached as { code: string }).code, 'CAS_ATTESTATION_COLLATERAL_MISSING');
  // other evidence types get no collateral here, as before
  assert.equal(await deps.collateralFor!('snp', new Uint8Array()), undefined);
});
