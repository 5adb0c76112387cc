import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dcapCollateralKey } from '../../../src/attestation/intel/collateral-key.js';
import { sgxDcapVerifier } from '../../../src/attestation/intel/sgx-verifier.js';
import { tdxVerifier } from '../../../src/attestation/intel/tdx-verifier.js';
import { parseDcapCollateralJson } from '../../../src/collateral/dcap-collateral-json.js';
import { directoryDcapCollateralSource } from '../../../src/collateral/dcap-collateral-source.js';
import { collateralFromPcsFiles, signedMember } from '../../../src/collateral/pcs-files.js';
import type { CasError } from '../../../src/errors/cas-error.js';
import { requireShared } from '../../helpers/shared.js';
import { RAW_PCS_FILES } from './raw-pcs-files.js';
import { tempDir } from '../../helpers/temp-dir.js';

test('the signed member is cut from the PCS text byte for byte', () => {
  const inner = '{"id":"QE", "version" :2,"s":"a}\\"{","n":[1,{"x":2}]}';
  assert.deepEqual(
    signedMember(
      `{"enclaveIdentity":${inner},"signature":"${'ab'.repeat(64)}"}`,
      'enclaveIdentity',
    ),
    {
      body: inner,
      signature: 'ab'.repeat(64),
    },
  );
  assert.equal(signedMember(` { "tcbInfo" : ${inner} , "signature":"00"}`, 'tcbInfo')?.body, inner);
  for (const text of [
    '{',
    '[]',
    '{"tcbInfo":{}}',
    '{"signature":"00","tcbInfo":{}}',
    '{"tcbInfo":1,"signature":"00"}',
  ]) {
    assert.equal(signedMember(text, 'tcbInfo'), undefined, text);
  }
});

test('raw PCS responses assemble into the collateral the repackaged vectors hold', async (t) => {
  const root = requireShared(t, 'testvectors');
  if (root === null) return;
  const read = (p: string) => new Uint8Array(readFileSync(join(root, p)));
  const cases = [
    {
      dir: 'sgx',
      quote: 'sgx/automata_quotev3.bin',
      layout: 'sgx/automata_quotev3_collateral.json',
      at: 1755236700,
      verifier: sgxDcapVerifier,
    },
    {
      dir: 'tdx',
      quote: 'tdx/gotdx_tdx_prod_quote_SPR_E4.bin',
      layout: 'tdx/gotdx_tdx_prod_quote_SPR_E4_collateral.json',
      at: 1688173200,
      verifier: tdxVerifier,
    },
  ];
  for (const c of cases) {
    const evidence = read(c.quote);
    const assembled = await collateralFromPcsFiles(join(root, c.dir), dcapCollateralKey(evidence));
    assert.ok(assembled, c.quote);
    const layout = parseDcapCollateralJson(readFileSync(join(root, c.layout), 'utf8'));
    for (const field of [
      'tcbInfo',
      'tcbInfoSignature',
      'qeIdentity',
      'qeIdentitySignature',
      'pckCrl',
      'rootCaCrl',
    ] as const) {
      assert.deepEqual(
        Buffer.from(assembled[field]),
        Buffer.from(layout[field]),
        `${c.quote}: ${field}`,
      );
    }
    const now = new Date(c.at * 1000);
    const viaPcs = await c.verifier
      .verify({ evidence, collateral: assembled, now })
      .catch((e: CasError) => e.code);
    const viaLayout = await c.verifier
      .verify({ evidence, collateral: layout, now })
      .catch((e: CasError) => e.code);
    assert.deepEqual(viaPcs, viaLayout, c.quote);
  }
  // no PCS files for this FMSPC
  assert.equal(
    await collateralFromPcsFiles(join(root, 'sgx'), {
      tee: 'tdx',
      fmspc: 'b0c06f000000',
      pckCa: 'platform',
    }),
    undefined,
  );
});

test('a directory of raw PCS files alone serves a quote', async (t) => {
  const root = requireShared(t, 'testvectors', 'sgx');
  if (root === null) return;
  const dir = tempDir(t, 'cas-pcs-');
  for (const name of RAW_PCS_FILES) copyFileSync(join(root, name), join(dir, name));
  writeFileSync(join(dir, 'notes.txt'), 'collected from PCS on 2025-08-15\n');
  const evidence = new Uint8Array(readFileSync(join(root, 'automata_quotev3.bin')));
  const collateral = await directoryDcapCollateralSource(dir).collateralFor(
    dcapCollateralKey(evidence),
  );
  const claims = await sgxDcapVerifier.verify({
    evidence,
    collateral,
    now: new Date(1755236700 * 1000),
  });
  assert.equal(claims.tcb_status, 'SWHardeningNeeded');
});
