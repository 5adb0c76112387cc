import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { pemCertificates } from '../../../../src/attestation/pki/certificate.js';
import { parseSnpCertificateTable } from '../../../../src/attestation/snp/cert-table.js';
import { snpVerifier } from '../../../../src/attestation/snp/snp-verifier.js';
import { codeOf, codeOfSync } from '../../../helpers/evidence.js';
import { requireShared } from '../../../helpers/shared.js';
import { snpCertificateTable } from '../../../helpers/snp-cert-table.js';

const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

test('an extended report (report, then certificate table) verifies without collateral', async (t) => {
  const dir = requireShared(t, 'testvectors', 'sev-snp');
  if (dir === null) return;
  const read = (file: string): Uint8Array => new Uint8Array(readFileSync(join(dir, file)));
  const report = read('gosevguest_milan_attestation.bin');
  const vcek = read('gosevguest_milan_vcek.der');
  const [ask, ark] = pemCertificates(readFileSync(join(dir, 'amd_ask_ark_milan.pem'), 'utf8'));
  const genoa = pemCertificates(readFileSync(join(dir, 'amd_ask_ark_genoa.pem'), 'utf8'));
  const now = new Date(1663981200 * 1000);
  const run = (evidence: Uint8Array, collateral = {}, at = now) =>
    codeOf(snpVerifier.verify({ evidence, collateral, now: at, allowDebug: true }));
  const cases: [string, Promise<string>, string][] = [
    ['VCEK, ASK, ARK', run(concat(report, snpCertificateTable([vcek, ask!, ark!]))), 'OK'],
    ['ARK, VCEK (built-in ASK)', run(concat(report, snpCertificateTable([ark!, vcek]))), 'OK'],
    ['padded blobs', run(concat(report, snpCertificateTable([vcek, ask!, ark!], 7))), 'OK'],
    [
      'VCEK with the Genoa chain: the unrelated certificates are left out',
      run(concat(report, snpCertificateTable([vcek, ...genoa]))),
      'OK',
    ],
    [
      'only the ASK and ARK: no VCEK',
      run(concat(report, snpCertificateTable([ask!, ark!]))),
      'CAS_ATTESTATION_COLLATERAL_MISSING',
    ],
    [
      'a VCEK of another chip',
      run(
        concat(read('trustee_milan_report.bin'), snpCertificateTable([vcek])),
        {},
        new Date(1719187200 * 1000),
      ),
      'CAS_ATTESTATION_SIGNATURE_INVALID',
    ],
    [
      'no terminator',
      run(concat(report, snpCertificateTable([vcek]).subarray(0, 30))),
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    ],
    [
      'only a terminator',
      run(concat(report, new Uint8Array(24))),
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    ],
    [
      'larger than 64 KiB',
      run(concat(report, new Uint8Array(65 * 1024))),
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    ],
    [
      'one trailing byte',
      run(concat(report, new Uint8Array(1))),
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    ],
  ];
  for (const [name, promise, expected] of cases) assert.equal(await promise, expected, name);
  for (const collateral of [undefined, null]) {
    const evidence = concat(report, snpCertificateTable([vcek]));
    assert.equal(
      await run(evidence, collateral as never),
      'OK',
      `collateral ${String(collateral)}`,
    );
    assert.equal(await run(report, collateral as never), 'CAS_ATTESTATION_COLLATERAL_MISSING');
  }
  const bad = snpCertificateTable([vcek]);
  new DataView(bad.buffer).setUint32(20, 1_000_000, true);
  assert.equal(
    codeOfSync(() => parseSnpCertificateTable(bad)),
    'CAS_ATTESTATION_EVIDENCE_MALFORMED',
  );
  const good = concat(report, snpCertificateTable([vcek, ask!, ark!]));
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: report.length, max: good.length - 1 }),
      fc.integer({ min: 1, max: 255 }),
      async (offset, mask) => {
        const evidence = good.slice();
        evidence[offset]! ^= mask;
        // GUID bytes are not used, so some changes still verify; none may crash.
        const code = await run(evidence);
        assert.ok(code === 'OK' || code.startsWith('CAS_ATTESTATION_'), code);
      },
    ),
    { numRuns: 100 },
  );
});
