import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sgxDcapVerifier } from '../../../src/attestation/intel/sgx-verifier.js';
import { parseDcapCollateralJson } from '../../../src/collateral/dcap-collateral-json.js';
import {
  inMemoryTcbEvaluationMemory,
  rememberTcbEvaluation,
} from '../../../src/collateral/tcb-evaluation-memory.js';
import { CasError } from '../../../src/errors/cas-error.js';
import { requireShared } from '../../helpers/shared.js';

test('collateral older than the newest accepted for the FMSPC is refused; the newest is remembered', async (t) => {
  const root = requireShared(t, 'testvectors', 'sgx');
  if (root === null) return;
  const evidence = new Uint8Array(readFileSync(join(root, 'dcapqvl_sgx_quote.bin')));
  const collateral = parseDcapCollateralJson(
    readFileSync(join(root, 'dcapqvl_sgx_quote_collateral.json'), 'utf8'),
  );
  const now = new Date(1751328000 * 1000);
  const memory = inMemoryTcbEvaluationMemory();
  const verifier = rememberTcbEvaluation(sgxDcapVerifier, memory);
  await verifier.verify({ evidence, collateral, now });
  assert.equal(await memory.highest('sgx', '00a067110000'), 17);
  assert.equal(await memory.highest('tdx', '00a067110000'), undefined);
  // a later evaluation was seen elsewhere (another quote, another replica): 17 is now stale
  await memory.record('sgx', '00a067110000', 18);
  await assert.rejects(
    verifier.verify({ evidence, collateral, now }),
    (e) => e instanceof CasError && e.code === 'CAS_ATTESTATION_COLLATERAL_STALE',
  );
  await memory.record('sgx', '00a067110000', 3);
  assert.equal(await memory.highest('sgx', '00a067110000'), 18, 'the memory never goes down');
});
