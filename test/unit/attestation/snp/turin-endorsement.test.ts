// Turin lays TCB_VERSION out differently (FMC first) and its VCEK carries an 8-byte hwID and an
// FMC SPL. No real Turin report is public, so these rules are tested on a parsed report and a
// certificate with AMD's extensions made here; checkEndorsement reads only the extensions.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { webcrypto } from 'node:crypto';
import { x509 } from '../../../../src/crypto/x509.js';
import { parseCertificate } from '../../../../src/attestation/pki/certificate.js';
import { checkEndorsement } from '../../../../src/attestation/snp/snp-checks.js';
import { parseSnpReport } from '../../../../src/attestation/snp/snp-report.js';
import { decodeTcb } from '../../../../src/attestation/snp/snp-tcb.js';
import { codeOfSync } from '../../../helpers/evidence.js';
import { requireShared } from '../../../helpers/shared.js';

const integer = (value: number): Uint8Array => Uint8Array.of(0x02, 0x01, value);

async function turinVcek(
  hwid: Uint8Array,
  spl: { fmc: number; bl: number; tee: number; snp: number; ucode: number },
) {
  const alg = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const arc = '1.3.6.1.4.1.3704.1';
  const extensions = [
    new x509.Extension(`${arc}.3.1`, false, integer(spl.bl)),
    new x509.Extension(`${arc}.3.2`, false, integer(spl.tee)),
    new x509.Extension(`${arc}.3.3`, false, integer(spl.snp)),
    new x509.Extension(`${arc}.3.8`, false, integer(spl.ucode)),
    new x509.Extension(`${arc}.3.9`, false, integer(spl.fmc)),
    new x509.Extension(`${arc}.4`, false, hwid),
  ];
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name: 'CN=SEV-VCEK',
      keys,
      signingAlgorithm: alg,
      notBefore: new Date('2025-01-01'),
      notAfter: new Date('2030-01-01'),
      extensions,
    },
    webcrypto,
  );
  return parseCertificate(new Uint8Array(certificate.rawData), 'VCEK');
}

test('Turin: FMC-first TCB layout, FMC SPL and an 8-byte hwID are checked', async (t) => {
  const dir = requireShared(t, 'testvectors', 'sev-snp');
  if (dir === null) return;
  const bytes = new Uint8Array(readFileSync(join(dir, 'gosevguest_milan_attestation.bin')));
  bytes.set([1, 2, 3, 4, 0, 0, 0, 9], 0x180);
  const report = parseSnpReport(bytes);
  const chip8 = report.chipId.slice(0, 8);
  const tcb = decodeTcb(report.reportedTcb, 'Turin');
  assert.deepEqual(tcb, { fmc: 1, bootloader: 2, tee: 3, snp: 4, microcode: 9 });
  const spl = { fmc: 1, bl: 2, tee: 3, snp: 4, ucode: 9 };
  const other8 = chip8.map((b) => b ^ 0xff);
  const cases: [string, Awaited<ReturnType<typeof turinVcek>>, string][] = [
    ['matching', await turinVcek(chip8, spl), 'OK'],
    [
      'FMC SPL differs',
      await turinVcek(chip8, { ...spl, fmc: 2 }),
      'CAS_ATTESTATION_SNP_TCB_MISMATCH',
    ],
    [
      'SNP SPL differs',
      await turinVcek(chip8, { ...spl, snp: 5 }),
      'CAS_ATTESTATION_SNP_TCB_MISMATCH',
    ],
    ['hwID of another chip', await turinVcek(other8, spl), 'CAS_ATTESTATION_SNP_CHIP_ID_MISMATCH'],
  ];
  for (const [name, leaf, expected] of cases) {
    assert.equal(
      codeOfSync(() => checkEndorsement(report, leaf, tcb)),
      expected,
      name,
    );
  }
  // The Milan reading of the same bytes does not match a Turin VCEK.
  assert.equal(
    codeOfSync(() =>
      checkEndorsement(report, cases[0]![1], decodeTcb(report.reportedTcb, 'Milan')),
    ),
    'CAS_ATTESTATION_SNP_TCB_MISMATCH',
  );
});
