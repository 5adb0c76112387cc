import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { testArk, testCrl } from '../helpers/amd-crl.js';
import { runVerifyCase, verifyCaseTest, type VerifyCase } from '../helpers/evidence-verify.js';
import { requireShared } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp-dir.js';

const cases: VerifyCase[] = [
  {
    name: 'SNP report with a directory of AMD certificates',
    file: 'sev-snp/trustee_milan_report.bin',
    type: 'snp',
    collateral: 'sev-snp',
    at: '1719187200',
    exit: 0,
    claims: {
      'measurements.measurement':
        'a1f3930413247bb38cfc171579ea3c12d5fe4901f0c792f63fd75d98f1ef827c23500644e0e692e6be917f9050d3d38c',
    },
  },
  {
    name: 'SNP debug guest without --allow-debug',
    file: 'sev-snp/gosevguest_milan_attestation.bin',
    type: 'snp',
    collateral: 'sev-snp/gosevguest_milan_vcek.der',
    at: '1663981200',
    exit: 3,
    code: 'CAS_ATTESTATION_DEBUG_REFUSED',
  },
  {
    name: 'SNP debug guest with --allow-debug',
    file: 'sev-snp/gosevguest_milan_attestation.bin',
    type: 'snp',
    collateral: 'sev-snp/gosevguest_milan_vcek.der',
    at: '1663981200',
    flags: ['--allow-debug'],
    exit: 0,
    claims: { debug: true },
  },
  {
    name: 'SNP report with no collateral',
    file: 'sev-snp/trustee_milan_report.bin',
    type: 'snp',
    at: '1719187200',
    exit: 3,
    code: 'CAS_ATTESTATION_COLLATERAL_MISSING',
  },
  {
    name: 'Nitro document (base64 file) at its timestamp',
    file: 'nitro/blocky_nitro_attestation.b64',
    type: 'nitro',
    at: '2024-09-07T14:37:39Z',
    exit: 0,
    claims: {
      'measurements.pcr0':
        'e72a46ca80a260fb044a125442f0c7e331813bcbaf9724d9f3857758992766f2d65710a27aa94ae3949dd54e7c9fe86a',
    },
  },
  {
    name: 'Nitro document after its leaf expired',
    file: 'nitro/blocky_nitro_attestation.b64',
    type: 'nitro',
    at: '2024-09-07T17:37:40Z',
    exit: 3,
    code: 'CAS_ATTESTATION_CERT_EXPIRED',
  },
  {
    name: 'Azure vTPM quote with the HCL report and VCEK chain from a directory',
    file: 'tpm/azure_snp_vtpm_milan_tpm_quote.json',
    type: 'tpm',
    collateral: 'tpm',
    at: '2025-01-01T00:00:00Z',
    exit: 0,
    claims: {
      'measurements.pcr0': 'f3a7e99a5f819a034386bce753a48a73cfdaa0bea0ecfc124bedbf5a8c4799be',
    },
  },
  {
    name: 'Azure vTPM evidence envelope on its own',
    file: 'tpm/azure_snp_vtpm_genoa_evidence.json',
    type: 'tpm',
    at: '2026-01-01T00:00:00Z',
    exit: 0,
    claims: {
      'measurements.pcr0': 'afd689d0bb1c5f36f023fbaf574135f555a28a10c1f6b938d2a25e70c7783338',
    },
  },
];

verifyCaseTest(
  'scone evidence verify: SNP, Nitro and vTPM vectors exit 0 with their claims, or 3 with the code',
  cases,
);

test('scone evidence verify: CRL files in the --collateral directory turn the AMD revocation check on', async (t) => {
  const root = requireShared(t, 'testvectors');
  if (root === null) return;
  // The VCEK beside a CRL that is not AMD's (no AMD CRL ships with the vectors): refused.
  const dir = tempDir(t);
  copyFileSync(join(root, 'sev-snp/gosevguest_milan_vcek.der'), join(dir, 'vcek.der'));
  writeFileSync(join(dir, 'milan.crl'), await testCrl(await testArk()));
  const snp = {
    file: 'sev-snp/gosevguest_milan_attestation.bin',
    type: 'snp',
    collateral: dir,
    at: '1663981200',
    flags: ['--allow-debug'],
  };
  await runVerifyCase(root, {
    ...snp,
    name: 'with a foreign CRL',
    exit: 3,
    code: 'CAS_ATTESTATION_CRL_INVALID',
  });
  rmSync(join(dir, 'milan.crl'));
  await runVerifyCase(root, { ...snp, name: 'without the CRL', exit: 0, claims: { debug: true } });
});
