import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  crlsIn,
  loadSnpCollateral,
  loadTpmCollateral,
} from '../../../src/collateral/amd-collateral-source.js';
import { snpVerifier } from '../../../src/attestation/snp/snp-verifier.js';
import { tpmVerifier } from '../../../src/attestation/tpm/tpm-verifier.js';
import { CasError } from '../../../src/errors/cas-error.js';
import { crlPem, testArk, testCrl } from '../../helpers/amd-crl.js';
import { requireShared } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/temp-dir.js';

test('a directory with several chips and products: the VCEK that signs the report and only its chain are picked', async (t) => {
  const dir = requireShared(t, 'testvectors', 'sev-snp');
  if (dir === null) return;
  const report = new Uint8Array(readFileSync(join(dir, 'trustee_milan_report.bin')));
  const collateral = await loadSnpCollateral(dir, report);
  assert.deepEqual(
    collateral.endorsementKey,
    new Uint8Array(readFileSync(join(dir, 'trustee_milan_vcek.der'))),
  );
  assert.equal(collateral.chain?.length, 2);
  const claims = await snpVerifier.verify({
    evidence: report,
    collateral,
    now: new Date(1719187200 * 1000),
  });
  assert.equal(claims.extra['family'], 'Milan');
  const vlekReport = new Uint8Array(readFileSync(join(dir, 'trustee_milan_vlek_report.bin')));
  const vlek = await loadSnpCollateral(dir, vlekReport);
  assert.deepEqual(
    vlek.endorsementKey,
    new Uint8Array(readFileSync(join(dir, 'trustee_milan_vlek.der'))),
  );
});

test('a single DER file is the VCEK; no path gives no VCEK and the verifier asks for it', async (t) => {
  const dir = requireShared(t, 'testvectors', 'sev-snp');
  if (dir === null) return;
  const report = new Uint8Array(readFileSync(join(dir, 'gosevguest_milan_attestation.bin')));
  const file = join(dir, 'gosevguest_milan_vcek.der');
  assert.deepEqual(
    (await loadSnpCollateral(file, report)).endorsementKey,
    new Uint8Array(readFileSync(file)),
  );
  const none = await loadSnpCollateral(undefined, report);
  await assert.rejects(
    snpVerifier.verify({
      evidence: report,
      collateral: none,
      now: new Date(1663981200 * 1000),
      allowDebug: true,
    }),
    (error: unknown) =>
      error instanceof CasError && error.code === 'CAS_ATTESTATION_COLLATERAL_MISSING',
  );
  await assert.rejects(
    loadSnpCollateral(join(dir, 'no-such-file'), report),
    (error: unknown) =>
      error instanceof CasError && error.code === 'CAS_ATTESTATION_COLLATERAL_MISSING',
  );
});

test('tpm: the HCL report whose AK signs the quote is picked from a directory holding two', async (t) => {
  const dir = requireShared(t, 'testvectors', 'tpm');
  if (dir === null) return;
  const evidence = new Uint8Array(readFileSync(join(dir, 'azure_snp_vtpm_milan_tpm_quote.json')));
  const collateral = await loadTpmCollateral(dir, evidence);
  assert.deepEqual(
    collateral.hclReport,
    new Uint8Array(readFileSync(join(dir, 'azure_snp_vtpm_milan_hcl_report.bin'))),
  );
  const claims = await tpmVerifier.verify({
    evidence,
    collateral,
    now: new Date('2025-01-01T00:00:00Z'),
  });
  assert.equal(
    claims.measurements['pcr0'],
    'f3a7e99a5f819a034386bce753a48a73cfdaa0bea0ecfc124bedbf5a8c4799be',
  );
  const genoa = new Uint8Array(readFileSync(join(dir, 'azure_snp_vtpm_genoa_tpm_quote.json')));
  const genoaCollateral = await loadTpmCollateral(dir, genoa);
  const genoaClaims = await tpmVerifier.verify({
    evidence: genoa,
    collateral: genoaCollateral,
    now: new Date('2026-01-01T00:00:00Z'),
  });
  assert.equal(
    genoaClaims.measurements['pcr0'],
    'afd689d0bb1c5f36f023fbaf574135f555a28a10c1f6b938d2a25e70c7783338',
  );
});

test('CRLs in the collateral directory (DER or PEM) turn revocation on; without any it stays off', async (t) => {
  const dir = requireShared(t, 'testvectors', 'sev-snp');
  if (dir === null) return;
  const report = new Uint8Array(readFileSync(join(dir, 'gosevguest_milan_attestation.bin')));
  const vcek = readFileSync(join(dir, 'gosevguest_milan_vcek.der'));
  const work = tempDir(t);
  writeFileSync(join(work, 'vcek.der'), vcek);
  writeFileSync(join(work, 'notes.txt'), 'not collateral\n');
  assert.equal((await loadSnpCollateral(work, report)).revocation, undefined);
  const ours = await testArk();
  const der = await testCrl(ours);
  writeFileSync(join(work, 'milan.crl'), der);
  writeFileSync(join(work, 'genoa.pem'), crlPem(await testCrl(ours, { revoked: ['05'] })));
  const collateral = await loadSnpCollateral(work, report);
  assert.equal(collateral.revocation?.crls.length, 2);
  assert.deepEqual(collateral.revocation.crls[1], der, 'files in name order, DER as it was');
  // The CRLs are not AMD's, so the report is refused rather than passed unchecked.
  await assert.rejects(
    snpVerifier.verify({
      evidence: report,
      collateral,
      now: new Date(1663981200 * 1000),
      allowDebug: true,
    }),
    (error: unknown) => error instanceof CasError && error.code === 'CAS_ATTESTATION_CRL_INVALID',
  );
  assert.deepEqual(crlsIn(vcek), [], 'a certificate is not a CRL');
});
