import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { pemCertificates } from '../../../../src/attestation/pki/certificate.js';
import {
  createSnpVerifier,
  snpVerifier,
  type SnpVerifierOptions,
} from '../../../../src/attestation/snp/snp-verifier.js';
import type { SnpCollateral } from '../../../../src/attestation/snp/amd-chain.js';
import { requireShared } from '../../../helpers/shared.js';
import { codeOf, codeOfSync, flipped } from '../../../helpers/evidence.js';
import { parseCertificate } from '../../../../src/attestation/pki/certificate.js';
import { parseSnpReport } from '../../../../src/attestation/snp/snp-report.js';
import { checkEndorsement, checkGuest } from '../../../../src/attestation/snp/snp-checks.js';
import { parseCertificate as readCertificate } from '../../../../src/attestation/intel/x509.js';
import { pinnedDer } from '../../../../src/attestation/roots.js';
import { x509 } from '../../../../src/crypto/x509.js';
import { testArk, testCrl } from '../../../helpers/amd-crl.js';

interface Vector {
  readonly report: Uint8Array;
  readonly vcek: Uint8Array;
  readonly now: Date;
}

function load(
  t: TestContext,
): (Record<'gosevguest' | 'trustee' | 'vlek', Vector> & { dir: string }) | null {
  const dir = requireShared(t, 'testvectors', 'sev-snp');
  if (dir === null) return null;
  const read = (file: string): Uint8Array => new Uint8Array(readFileSync(join(dir, file)));
  return {
    dir,
    gosevguest: {
      report: read('gosevguest_milan_attestation.bin'),
      vcek: read('gosevguest_milan_vcek.der'),
      now: new Date('2022-09-24T01:00:00Z'),
    },
    trustee: {
      report: read('trustee_milan_report.bin'),
      vcek: read('trustee_milan_vcek.der'),
      now: new Date(1719187200 * 1000),
    },
    vlek: {
      report: read('trustee_milan_vlek_report.bin'),
      vcek: read('trustee_milan_vlek.der'),
      now: new Date(1748736000 * 1000),
    },
  };
}

function verify(
  vector: Vector,
  changes: {
    report?: Uint8Array;
    collateral?: SnpCollateral;
    now?: Date;
    allowDebug?: boolean;
    expectedReportData?: Uint8Array;
    options?: SnpVerifierOptions;
  } = {},
): Promise<unknown> {
  return createSnpVerifier(changes.options ?? {}).verify({
    evidence: changes.report ?? vector.report,
    collateral: changes.collateral ?? { endorsementKey: vector.vcek },
    now: changes.now ?? vector.now,
    allowDebug: changes.allowDebug ?? true,
    ...(changes.expectedReportData === undefined
      ? {}
      : { expectedReportData: changes.expectedReportData }),
  });
}

test('go-sev-guest Milan report verifies at its fixed clock with the values the source asserts', async (t) => {
  const v = load(t);
  if (v === null) return;
  const claims = await snpVerifier.verify({
    evidence: v.gosevguest.report,
    collateral: { endorsementKey: v.gosevguest.vcek },
    now: v.gosevguest.now,
    allowDebug: true,
  });
  assert.equal(claims.type, 'snp');
  assert.equal(claims.report_data, '0102030405' + '00'.repeat(59));
  assert.equal(
    claims.measurements['measurement'],
    'b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01',
  );
  assert.equal(claims.measurements['host_data'], '00'.repeat(32));
  assert.equal(claims.debug, true);
  assert.equal(claims.tcb_status, 'NotApplicable');
  assert.deepEqual(claims.advisory_ids, []);
  assert.equal(
    claims.extra['chip_id'],
    '3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d',
  );
  assert.equal(claims.extra['family'], 'Milan');
  assert.deepEqual(claims.extra['reported_tcb'], { bootloader: 2, tee: 0, snp: 5, microcode: 68 });
  assert.equal(claims.extra['vmpl'], 0);
  assert.equal(claims.extra['policy'], '0xb0000');
  assert.equal(
    claims.extra['report_id'],
    '8edc638e1857c555d21f6b11bda3c8b1b5a09dba4852b4c8ee7aa2f16f22cc0a',
  );
  assert.equal(claims.extra['firmware_version'], '1.49.3');
});

test('trustee Milan VCEK report verifies, not debug', async (t) => {
  const v = load(t);
  if (v === null) return;
  const claims = await snpVerifier.verify({
    evidence: v.trustee.report,
    collateral: { endorsementKey: v.trustee.vcek },
    now: v.trustee.now,
  });
  assert.equal(claims.debug, false);
  assert.equal(
    claims.measurements['measurement'],
    'a1f3930413247bb38cfc171579ea3c12d5fe4901f0c792f63fd75d98f1ef827c23500644e0e692e6be917f9050d3d38c',
  );
  assert.equal(
    claims.report_data,
    'ec6c52d7533cc2c4f45be7849cf112ab82b2009fe7bd43e71ed08c14400ad7e2' + '00'.repeat(32),
  );
  assert.deepEqual(claims.extra['reported_tcb'], { bootloader: 3, tee: 0, snp: 8, microcode: 115 });
  assert.equal(claims.extra['policy'], '0x3001f');
  assert.equal(claims.extra['family_id'], '01' + '00'.repeat(15));
});

test('trustee Milan VLEK (AWS) report v3 verifies at VMPL 1 when VMPL 1 is expected, and only then', async (t) => {
  const v = load(t);
  if (v === null) return;
  const claims = (await verify(v.vlek, { options: { vmpl: 1 }, allowDebug: false })) as {
    extra: Record<string, unknown>;
    measurements: Record<string, string>;
  };
  assert.equal(claims.extra['signing_key'], 'vlek');
  assert.equal(claims.extra['version'], 3);
  assert.equal(claims.extra['vmpl'], 1);
  assert.deepEqual(claims.extra['reported_tcb'], {
    bootloader: 4,
    tee: 0,
    snp: 24,
    microcode: 217,
  });
  assert.equal(
    claims.measurements['measurement'],
    '8922ebbdd00ec2c541f36a6e7a82a8773a7accb451ed67bc94e740dbe92c93c4e8c9af857f5ceeb5a493df2a570d7bf0',
  );
  assert.equal(await codeOf(verify(v.vlek)), 'CAS_ATTESTATION_SNP_VMPL_MISMATCH');
  assert.equal(
    await codeOf(verify(v.vlek, { options: { vmpl: 1 }, now: new Date('2025-12-10T22:14:22Z') })),
    'CAS_ATTESTATION_CERT_EXPIRED',
  );
});

test('the collateral may carry the ASK and ARK; an ARK that is not the pinned one is refused', async (t) => {
  const v = load(t);
  if (v === null) return;
  const milan = pemCertificates(readFileSync(join(v.dir, 'amd_ask_ark_milan.pem'), 'utf8'));
  const genoa = pemCertificates(readFileSync(join(v.dir, 'amd_ask_ark_genoa.pem'), 'utf8'));
  const turin = pemCertificates(readFileSync(join(v.dir, 'amd_ask_ark_turin.pem'), 'utf8'));
  const asvk = pemCertificates(readFileSync(join(v.dir, 'amd_asvk_ark_milan_vlek.pem'), 'utf8'));
  const g = v.gosevguest;
  const withChain = (chain: Uint8Array[]): SnpCollateral => ({ endorsementKey: g.vcek, chain });
  const cases: [string, SnpCollateral, string][] = [
    ['Milan ASK and ARK', withChain(milan), 'OK'],
    ['Milan ARK only', withChain([milan[1]!]), 'OK'],
    ['Genoa ASK and ARK for a Milan VCEK', withChain(genoa), 'CAS_ATTESTATION_ROOT_UNTRUSTED'],
    ['Turin ARK for a Milan VCEK', withChain([turin[1]!]), 'CAS_ATTESTATION_ROOT_UNTRUSTED'],
    ['the ASVK instead of the ASK', withChain([asvk[0]!]), 'CAS_ATTESTATION_CHAIN_INVALID'],
    ['no VCEK', { chain: milan }, 'CAS_ATTESTATION_COLLATERAL_MISSING'],
    ['the ASK as the VCEK', { endorsementKey: milan[0]! }, 'CAS_ATTESTATION_CHAIN_INVALID'],
    [
      'garbage as the VCEK',
      { endorsementKey: new Uint8Array(40).fill(3) },
      'CAS_ATTESTATION_COLLATERAL_MALFORMED',
    ],
    [
      'the VLEK for a VCEK-signed report',
      { endorsementKey: v.vlek.vcek },
      'CAS_ATTESTATION_CHAIN_INVALID',
    ],
    [
      'the other Milan VCEK, not valid yet then',
      { endorsementKey: v.trustee.vcek },
      'CAS_ATTESTATION_CERT_NOT_YET_VALID',
    ],
  ];
  for (const [name, collateral, expected] of cases) {
    assert.equal(await codeOf(verify(g, { collateral })), expected, name);
  }
  assert.equal(
    await codeOf(verify(v.trustee, { collateral: { endorsementKey: g.vcek } })),
    'CAS_ATTESTATION_SIGNATURE_INVALID',
    'a valid VCEK of another chip',
  );
  assert.equal(
    await codeOf(
      verify(v.vlek, {
        collateral: { endorsementKey: v.vlek.vcek, chain: asvk },
        options: { vmpl: 1 },
      }),
    ),
    'OK',
  );
});

test('negative derivations of the go-sev-guest vector fail with specific codes', async (t) => {
  const v = load(t);
  if (v === null) return;
  const g = v.gosevguest;
  const vcekTampered = g.vcek.slice();
  vcekTampered[42]! += 1;
  const truncated = g.report.subarray(0, g.report.length - 1);
  const cases: [string, Parameters<typeof verify>[1], string][] = [
    [
      'flip 0x15 (policy, virtee)',
      { report: flipped(g.report, 21, 0x80) },
      'CAS_ATTESTATION_SIGNATURE_INVALID',
    ],
    ['flip 0x08 policy', { report: flipped(g.report, 0x08) }, 'CAS_ATTESTATION_SIGNATURE_INVALID'],
    [
      'flip 0x50 report_data',
      { report: flipped(g.report, 0x50) },
      'CAS_ATTESTATION_SIGNATURE_INVALID',
    ],
    [
      'flip 0x90 measurement',
      { report: flipped(g.report, 0x90) },
      'CAS_ATTESTATION_SIGNATURE_INVALID',
    ],
    [
      'flip 0x180 reported_tcb',
      { report: flipped(g.report, 0x180) },
      'CAS_ATTESTATION_SIGNATURE_INVALID',
    ],
    [
      'flip 0x1a0 chip_id',
      { report: flipped(g.report, 0x1a0) },
      'CAS_ATTESTATION_SIGNATURE_INVALID',
    ],
    [
      'flip 0x2a0 signature r',
      { report: flipped(g.report, 0x2a0) },
      'CAS_ATTESTATION_SIGNATURE_INVALID',
    ],
    [
      'flip 0x2e8 signature s',
      { report: flipped(g.report, 0x2e8) },
      'CAS_ATTESTATION_SIGNATURE_INVALID',
    ],
    [
      'non-zero high byte of r',
      { report: flipped(g.report, 0x2a0 + 60) },
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    ],
    ['version 1', { report: flipped(g.report, 0x00, 3) }, 'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED'],
    [
      'signature algorithm 0',
      { report: flipped(g.report, 0x34) },
      'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
    ],
    [
      'signing key 7 (none)',
      { report: flipped(g.report, 0x48, 0x1c) },
      'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
    ],
    ['truncated', { report: truncated }, 'CAS_ATTESTATION_EVIDENCE_MALFORMED'],
    [
      'random bytes',
      { report: new Uint8Array(1184).fill(0x5a) },
      'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
    ],
    [
      'VCEK der[42] += 1',
      { collateral: { endorsementKey: vcekTampered } },
      'CAS_ATTESTATION_CHAIN_INVALID',
    ],
    [
      'one second before the VCEK',
      { now: new Date('2022-09-24T00:55:27Z') },
      'CAS_ATTESTATION_CERT_NOT_YET_VALID',
    ],
    ['at the VCEK notBefore', { now: new Date('2022-09-24T00:55:28Z') }, 'OK'],
    ['at the VCEK notAfter', { now: new Date('2029-09-24T00:55:28Z') }, 'OK'],
    [
      'one second after the VCEK',
      { now: new Date('2029-09-24T00:55:29Z') },
      'CAS_ATTESTATION_CERT_EXPIRED',
    ],
    ['debug without allowDebug', { allowDebug: false }, 'CAS_ATTESTATION_DEBUG_REFUSED'],
    [
      'expected report data 00..01',
      { expectedReportData: new Uint8Array(64).fill(0, 0, 63).fill(1, 63) },
      'CAS_ATTESTATION_REPORT_DATA_MISMATCH',
    ],
    [
      'expected report data equal',
      { expectedReportData: Uint8Array.of(1, 2, 3, 4, 5, ...new Uint8Array(59)) },
      'OK',
    ],
    ['expected VMPL 1', { options: { vmpl: 1 } }, 'CAS_ATTESTATION_SNP_VMPL_MISMATCH'],
    [
      'expected product Genoa',
      { options: { product: 'Genoa' } },
      'CAS_ATTESTATION_SNP_PRODUCT_MISMATCH',
    ],
    ['expected product Milan', { options: { product: 'Milan' } }, 'OK'],
  ];
  for (const [name, changes, expected] of cases) {
    assert.equal(await codeOf(verify(g, changes)), expected, name);
  }
});

test('trustee negatives: report[42] += 1 and a VCEK for another TCB fail', async (t) => {
  const v = load(t);
  if (v === null) return;
  const report = v.trustee.report.slice();
  report[42]! += 1;
  assert.equal(await codeOf(verify(v.trustee, { report })), 'CAS_ATTESTATION_SIGNATURE_INVALID');
});

test('a report whose reported TCB differs from its VCEK, or whose chip id differs, is refused even if signed', async (t) => {
  // Re-signing is impossible without AMD's key, so these checks are exercised by pairing a
  // report with a VCEK whose signature it does not carry: signature first, then TCB. We test
  // the TCB and chip-id rules directly on the building blocks instead.
  const v = load(t);
  if (v === null) return;
  const { decodeTcb, tcbBelow, productOfCpuid } =
    await import('../../../../src/attestation/snp/snp-tcb.js');
  assert.deepEqual(decodeTcb(Uint8Array.of(2, 0, 0, 0, 0, 0, 5, 68), 'Milan'), {
    bootloader: 2,
    tee: 0,
    snp: 5,
    microcode: 68,
  });
  assert.deepEqual(decodeTcb(Uint8Array.of(1, 2, 3, 4, 0, 0, 0, 9), 'Turin'), {
    fmc: 1,
    bootloader: 2,
    tee: 3,
    snp: 4,
    microcode: 9,
  });
  assert.deepEqual(tcbBelow({ bootloader: 2, tee: 0, snp: 5, microcode: 68 }, { microcode: 69 }), [
    'microcode 68 < 69',
  ]);
  assert.equal(productOfCpuid(0x19, 0x01), 'Milan');
  assert.equal(productOfCpuid(0x19, 0x11), 'Genoa');
  assert.equal(productOfCpuid(0x1a, 0x02), 'Turin');
  assert.equal(productOfCpuid(0x17, 0x31), null);
});

test('minimum TCB: equal passes as UpToDate, one above the reported microcode gives OutOfDate', async (t) => {
  const v = load(t);
  if (v === null) return;
  const g = v.gosevguest;
  const ok = (await verify(g, {
    options: { minimumTcb: { bootloader: 2, tee: 0, snp: 5, microcode: 68 } },
  })) as {
    tcb_status: string;
  };
  assert.equal(ok.tcb_status, 'UpToDate');
  const low = (await verify(g, { options: { minimumTcb: { microcode: 69 } } })) as {
    tcb_status: string;
    extra: Record<string, unknown>;
  };
  assert.equal(low.tcb_status, 'OutOfDate');
  assert.deepEqual(low.extra['tcb_below_minimum'], ['microcode 68 < 69']);
});

test('per-product minimum TCB wins over the general one', async (t) => {
  const v = load(t);
  if (v === null) return;
  const status = async (options: SnpVerifierOptions): Promise<string> =>
    ((await verify(v.gosevguest, { options })) as { tcb_status: string }).tcb_status;
  assert.equal(
    await status({ minimumTcb: { snp: 6 }, minimumTcbByProduct: { Milan: { snp: 5 } } }),
    'UpToDate',
  );
  assert.equal(
    await status({ minimumTcb: { snp: 5 }, minimumTcbByProduct: { Milan: { snp: 6 } } }),
    'OutOfDate',
  );
  assert.equal(
    await status({ minimumTcb: { snp: 6 }, minimumTcbByProduct: { Genoa: { snp: 1 } } }),
    'OutOfDate',
  );
});

test('rules after the signature, on parsed reports: TCB, chip id, MIGRATE_MA, debug, VMPL, binding', (t) => {
  // A tampered report no longer verifies, so each rule is also exercised directly on a parsed
  // (unsigned) copy: the rule must refuse even if a signature were somehow valid.
  const v = load(t);
  if (v === null) return;
  const g = v.gosevguest;
  const leaf = parseCertificate(g.vcek, 'VCEK');
  const parsed = (bytes: Uint8Array) => parseSnpReport(bytes);
  const tcb = { bootloader: 2, tee: 0, snp: 5, microcode: 68 };
  const cases: [string, () => unknown, string][] = [
    ['as signed', () => checkEndorsement(parsed(g.report), leaf, tcb), 'OK'],
    [
      'reported TCB microcode + 1',
      () => checkEndorsement(parsed(g.report), leaf, { ...tcb, microcode: 69 }),
      'CAS_ATTESTATION_SNP_TCB_MISMATCH',
    ],
    [
      'reported TCB bootloader - 1',
      () => checkEndorsement(parsed(g.report), leaf, { ...tcb, bootloader: 1 }),
      'CAS_ATTESTATION_SNP_TCB_MISMATCH',
    ],
    [
      'chip id last byte changed',
      () => checkEndorsement(parsed(flipped(g.report, 0x1df)), leaf, tcb),
      'CAS_ATTESTATION_SNP_CHIP_ID_MISMATCH',
    ],
    [
      'MIGRATE_MA policy bit',
      () => checkGuest(parsed(flipped(g.report, 0x0a, 0x04)), { allowDebug: true }),
      'CAS_ATTESTATION_SNP_MIGRATION_AGENT',
    ],
    [
      'REPORT_ID_MA set (a migration agent is bound)',
      () => checkGuest(parsed(flipped(g.report, 0x160)), { allowDebug: true }),
      'CAS_ATTESTATION_SNP_MIGRATION_AGENT',
    ],
    ['debug not allowed', () => checkGuest(parsed(g.report), {}), 'CAS_ATTESTATION_DEBUG_REFUSED'],
    ['debug bit cleared', () => checkGuest(parsed(flipped(g.report, 0x0a, 0x08)), {}), 'OK'],
    [
      'VMPL 1 reported, 0 expected',
      () => checkGuest(parsed(flipped(g.report, 0x30)), { allowDebug: true }),
      'CAS_ATTESTATION_SNP_VMPL_MISMATCH',
    ],
    [
      'VMPL 1 reported and expected',
      () => checkGuest(parsed(flipped(g.report, 0x30)), { allowDebug: true, vmpl: 1 }),
      'OK',
    ],
    [
      'short expected binding',
      () =>
        checkGuest(parsed(g.report), { allowDebug: true, expectedReportData: new Uint8Array(5) }),
      'CAS_ATTESTATION_REPORT_DATA_MISMATCH',
    ],
  ];
  for (const [name, run, expected] of cases) assert.equal(codeOfSync(run), expected, name);
  assert.equal(checkGuest(parsed(g.report), { allowDebug: true }), true);
});

test('fast-check: truncations and mutations of every SNP vector never crash and always give a CasError', async (t) => {
  const v = load(t);
  if (v === null) return;
  for (const vector of [v.gosevguest, v.trustee, v.vlek]) {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: vector.report.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        async (offset, mask, truncate) => {
          const report = truncate
            ? vector.report.subarray(0, offset)
            : flipped(vector.report, offset, mask);
          const code = await codeOf(
            verify(vector, { report, options: { vmpl: vector.report[0x30]! } }),
          );
          assert.notEqual(code, 'OK');
        },
      ),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: vector.vcek.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (offset, mask) => {
          const code = await codeOf(
            verify(vector, {
              collateral: { endorsementKey: flipped(vector.vcek, offset, mask) },
              options: { vmpl: vector.report[0x30]! },
            }),
          );
          // Some certificate bytes (e.g. inside unused fields) may not matter to any check; what
          // matters is that nothing crashes and every failure is coded.
          assert.ok(code === 'OK' || code.startsWith('CAS_ATTESTATION_'));
        },
      ),
      { numRuns: 100 },
    );
  }
});

test('with revocation on, the real chain needs a CRL signed by the pinned ARK; a forged one is refused', async (t) => {
  const v = load(t);
  if (v === null) return;
  const ark = readCertificate(pinnedDer('amd-ark-milan'), 'CAS_ATTESTATION_COLLATERAL_MALFORMED');
  const ours = await testArk();
  // A CRL in the exact name of AMD's ARK-Milan, but signed with a key that is not AMD's.
  const forged = await testCrl(ours, { issuer: new x509.Name(ark.subjectDer) });
  const withCrls = (vector: Vector, crls: Uint8Array[]): SnpCollateral => ({
    endorsementKey: vector.vcek,
    revocation: { crls },
  });
  const cases: [string, Vector, SnpCollateral, SnpVerifierOptions, string][] = [
    ['VCEK, no CRL', v.gosevguest, withCrls(v.gosevguest, []), {}, 'CAS_ATTESTATION_CRL_INVALID'],
    [
      'VCEK, forged CRL',
      v.gosevguest,
      withCrls(v.gosevguest, [forged]),
      {},
      'CAS_ATTESTATION_CRL_INVALID',
    ],
    [
      "VCEK, only another issuer's CRL",
      v.gosevguest,
      withCrls(v.gosevguest, [await testCrl(ours)]),
      {},
      'CAS_ATTESTATION_CRL_INVALID',
    ],
    [
      'VLEK, forged CRL',
      v.vlek,
      withCrls(v.vlek, [forged]),
      { vmpl: 1 },
      'CAS_ATTESTATION_CRL_INVALID',
    ],
    ['VCEK, revocation off', v.gosevguest, { endorsementKey: v.gosevguest.vcek }, {}, 'OK'],
  ];
  for (const [name, vector, collateral, options, expected] of cases) {
    assert.equal(await codeOf(verify(vector, { collateral, options })), expected, name);
  }
});
