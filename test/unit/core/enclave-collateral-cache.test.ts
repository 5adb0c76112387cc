import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { IntelCollateral } from '../../../src/attestation/intel/collateral.js';
import { CollateralFileCache } from '../../../src/collateral/collateral-file-cache.js';
import { loadDcapCollateral } from '../../../src/collateral/dcap-collateral-source.js';
import { enclaveDeps } from '../../../src/core/enclave-deps.js';
import { requireShared } from '../../helpers/shared.js';
import { provisionedRuntime } from './provisioned-runtime.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { countingFs, failure, newerEvaluation } from '../collateral/collateral-test-io.js';

test('the enclave API reads [dcap] collateral_dir files once per version, not per attestation', async (t) => {
  const root = requireShared(t, 'testvectors', 'sgx');
  if (root === null) return;
  const dir = tempDir(t, 'cas-enclave-collateral-');
  const file = join(dir, 'sgx.json');
  copyFileSync(join(root, 'dcapqvl_sgx_quote_collateral.json'), file);
  const quote = new Uint8Array(readFileSync(join(root, 'dcapqvl_sgx_quote.bin')));
  const rt = await provisionedRuntime(undefined, `[dcap]\ncollateral_dir = "${dir}"\n`);
  const fs = countingFs();
  const collateralFiles = new CollateralFileCache({ fs });
  const deps = enclaveDeps(rt, { collateralFiles });
  const lookup = async () => (await deps.collateralFor!('sgx-dcap', quote)) as IntelCollateral;
  const first = await lookup();
  assert.deepEqual(await lookup(), first);
  assert.deepEqual(fs.reads, [file]);
  // an operator drops in fresh collateral: the next attestation uses it, no restart
  writeFileSync(file, newerEvaluation(readFileSync(file, 'utf8')));
  assert.match(Buffer.from((await lookup()).tcbInfo).toString(), /"tcbEvaluationDataNumber":19/);
  assert.deepEqual(fs.reads, [file, file]);
  // removed: the same refusal as an uncached read gives
  unlinkSync(file);
  const cached = await failure(lookup);
  assert.deepEqual(cached, await failure(() => loadDcapCollateral(dir, quote)));
  assert.equal(cached.code, 'CAS_ATTESTATION_COLLATERAL_MISSING');
  // other evidence types get no collateral here, as before
  assert.equal(await deps.collateralFor!('snp', new Uint8Array()), undefined);
});
