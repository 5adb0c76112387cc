import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { pemCertificates } from '../../../../src/attestation/pki/certificate.js';
import { verifierFor } from '../../../../src/attestation/registry.js';
import { parseTpmsAttest } from '../../../../src/attestation/tpm/tpms-attest.js';
import {
  verifyAzureVtpm,
  type TpmVerifyInput,
} from '../../../../src/attestation/tpm/tpm-verifier.js';
import { requireShared } from '../../../helpers/shared.js';
import { codeOfSync as codeOf, flipped } from '../../../helpers/evidence.js';

interface QuoteJson {
  signature: string;
  message: string;
  pcrs: string[];
}

function load(t: TestContext) {
  const dir = requireShared(t, 'testvectors', 'tpm');
  if (dir === null) return null;
  const read = (file: string): Uint8Array => new Uint8Array(readFileSync(join(dir, file)));
  const chain = pemCertificates(
    readFileSync(join(dir, 'azure_snp_vtpm_milan_vcek_chain.pem'), 'utf8'),
  );
  return {
    milan: {
      quote: JSON.parse(
        readFileSync(join(dir, 'azure_snp_vtpm_milan_tpm_quote.json'), 'utf8'),
      ) as QuoteJson,
      hcl: read('azure_snp_vtpm_milan_hcl_report.bin'),
      snp: { endorsementKey: chain[0]!, chain: chain.slice(1) },
      now: new Date('2024-06-01T00:00:00Z'),
    },
    genoa: {
      evidence: read('azure_snp_vtpm_genoa_evidence.json'),
      quote: JSON.parse(
        readFileSync(join(dir, 'azure_snp_vtpm_genoa_tpm_quote.json'), 'utf8'),
      ) as QuoteJson,
      hcl: read('azure_snp_vtpm_genoa_hcl_report.bin'),
      vcek: pemCertificates(readFileSync(join(dir, 'azure_snp_vtpm_genoa_vcek.pem'), 'utf8'))[0]!,
      now: new Date('2026-01-01T00:00:00Z'),
    },
  };
}

const encode = (quote: QuoteJson): Uint8Array => new TextEncoder().encode(JSON.stringify(quote));

function flipHex(value: string, byte: number, mask = 1): string {
  const bytes = Buffer.from(value, 'hex');
  bytes[byte]! ^= mask;
  return bytes.toString('hex');
}

test('Milan vTPM quote verifies: nonce "challenge", PCR0, AK bound by the SNP report', (t) => {
  const v = load(t);
  if (v === null) return;
  const m = v.milan;
  const claims = verifyAzureVtpm({
    evidence: encode(m.quote),
    collateral: { hclReport: m.hcl, snp: m.snp },
    now: m.now,
    expectedExtraData: new TextEncoder().encode('challenge'),
  });
  assert.equal(claims.type, 'tpm');
  assert.equal(claims.report_data, Buffer.from('challenge').toString('hex'));
  assert.equal(
    claims.measurements['pcr0'],
    'f3a7e99a5f819a034386bce753a48a73cfdaa0bea0ecfc124bedbf5a8c4799be',
  );
  assert.equal(Object.keys(claims.measurements).length, 24);
  assert.equal(
    claims.extra['ak_sha256'],
    'd47d5d33abcef6082883a1b3c54b80bc6be7606c6f822eae23822b42edbc8f5f',
  );
  assert.equal(claims.extra['clock'], '2167057');
  assert.equal(claims.extra['reset_count'], 3);
  assert.equal(claims.extra['firmware_version'], '0x2020031200120003');
  assert.equal(
    claims.extra['qualified_signer'],
    '000b96f6ef2a64ed155e38183fc0f0f240b2e63e4feb4c2ac230f14684fbe93f5f25',
  );
  assert.deepEqual(
    {
      secure: (claims.extra['vm_configuration'] as Record<string, unknown>)['secure-boot'],
      tpm: (claims.extra['vm_configuration'] as Record<string, unknown>)['tpm-enabled'],
    },
    { secure: true, tpm: true },
  );
  const snp = claims.extra['snp'] as Record<string, unknown>;
  assert.equal(
    snp['measurement'],
    '9ac48fcac8a2d88aeeff8d427ad4f2be0e3917c748a18bdf52cc317e7fe20308b459d5ef1a12e0c22944eb386d17c315',
  );
  assert.equal(
    snp['report_data'],
    'b3fbad6514c83caeb0380882145e49f794229ef37c421b91fc47ff93556bafac' + '00'.repeat(32),
  );
  assert.deepEqual(snp['reported_tcb'], { bootloader: 3, tee: 0, snp: 8, microcode: 115 });
  assert.equal(snp['policy'], '0x3001f');
  assert.equal(claims.debug, false);
});

test('Genoa vTPM evidence (trustee envelope with report and VCEK inside) verifies through the registry', async (t) => {
  const v = load(t);
  if (v === null) return;
  const claims = await verifierFor('tpm').verify({
    evidence: v.genoa.evidence,
    collateral: undefined as never,
    now: v.genoa.now,
  });
  assert.equal(
    claims.measurements['pcr0'],
    'afd689d0bb1c5f36f023fbaf574135f555a28a10c1f6b938d2a25e70c7783338',
  );
  assert.equal(
    claims.report_data,
    '0218488bae25d2509232bf676f1a66a30d7372add909109b36016ef136f2938ca05475f8b46094de6b64270ea35d950f',
  );
  assert.equal(
    claims.extra['ak_sha256'],
    '470adc365b667e2de8e933a77d9badd733ceb15955c77a5298102a88f63ed49a',
  );
  assert.equal((claims.extra['snp'] as Record<string, unknown>)['family'], 'Genoa');
  // The separate-file form of the same evidence verifies to the same claims.
  const split = verifyAzureVtpm({
    evidence: encode(v.genoa.quote),
    collateral: { hclReport: v.genoa.hcl, snp: { endorsementKey: v.genoa.vcek } },
    now: v.genoa.now,
  });
  assert.deepEqual(split.measurements, claims.measurements);
  // AMD revocation reaches the SNP report inside: on, and without a CRL of ARK-Genoa, refused.
  assert.equal(
    codeOf(() =>
      verifyAzureVtpm({
        evidence: v.genoa.evidence,
        collateral: { snp: { revocation: { crls: [] } } },
        now: v.genoa.now,
      }),
    ),
    'CAS_ATTESTATION_CRL_INVALID',
  );
});

test('vTPM negative derivations fail with specific codes', (t) => {
  const v = load(t);
  if (v === null) return;
  const m = v.milan;
  const hclWith = (offset: number, change: (byte: number) => number): Uint8Array => {
    const copy = m.hcl.slice();
    copy[offset] = change(copy[offset]!) & 0xff;
    return copy;
  };
  const run = (changes: Partial<TpmVerifyInput> & { quote?: QuoteJson }) => () =>
    verifyAzureVtpm({
      evidence: changes.evidence ?? encode(changes.quote ?? m.quote),
      collateral: changes.collateral ?? { hclReport: m.hcl, snp: m.snp },
      now: changes.now ?? m.now,
      expectedExtraData: changes.expectedExtraData ?? new TextEncoder().encode('challenge'),
      ...(changes.expectedReportData === undefined
        ? {}
        : { expectedReportData: changes.expectedReportData }),
    });
  const pcrs = [...m.quote.pcrs];
  pcrs[0] = flipHex(pcrs[0]!, 0);
  const cases: [string, () => unknown, string][] = [
    ['as given', run({}), 'OK'],
    [
      'signature[0] ^= 1',
      run({ quote: { ...m.quote, signature: flipHex(m.quote.signature, 0) } }),
      'CAS_ATTESTATION_SIGNATURE_INVALID',
    ],
    [
      'TPMS_ATTEST byte flipped (clock)',
      run({ quote: { ...m.quote, message: flipHex(m.quote.message, 50) } }),
      'CAS_ATTESTATION_SIGNATURE_INVALID',
    ],
    ['pcrs[0][0] ^= 1', run({ quote: { ...m.quote, pcrs } }), 'CAS_ATTESTATION_TPM_PCR_MISMATCH'],
    [
      'PCR 23 missing',
      run({ quote: { ...m.quote, pcrs: m.quote.pcrs.slice(0, 23) } }),
      'CAS_ATTESTATION_TPM_PCR_MISMATCH',
    ],
    [
      'nonce reversed',
      run({ expectedExtraData: new TextEncoder().encode('egnellahc') }),
      'CAS_ATTESTATION_REPORT_DATA_MISMATCH',
    ],
    [
      'hcl[0x6e0] += 1 (runtime data)',
      run({ collateral: { hclReport: hclWith(0x6e0, (b) => b + 1), snp: m.snp } }),
      'CAS_ATTESTATION_TPM_AK_UNBOUND',
    ],
    [
      'hcl[0x540] = 0 (AK JSON)',
      run({ collateral: { hclReport: hclWith(0x540, () => 0), snp: m.snp } }),
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    ],
    [
      'hcl[0x1a6] = 0 (SNP reported TCB)',
      run({ collateral: { hclReport: hclWith(0x1a6, () => 0), snp: m.snp } }),
      'CAS_ATTESTATION_SIGNATURE_INVALID',
    ],
    [
      'hcl magic',
      run({ collateral: { hclReport: hclWith(0, () => 0), snp: m.snp } }),
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    ],
    [
      'hcl truncated',
      run({ collateral: { hclReport: m.hcl.subarray(0, 0x4c0), snp: m.snp } }),
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    ],
    ['no HCL report', run({ collateral: { snp: m.snp } }), 'CAS_ATTESTATION_COLLATERAL_MISSING'],
    ['no VCEK', run({ collateral: { hclReport: m.hcl } }), 'CAS_ATTESTATION_COLLATERAL_MISSING'],
    [
      'after the VCEK expiry',
      run({ now: new Date('2030-05-03T00:00:00Z') }),
      'CAS_ATTESTATION_CERT_EXPIRED',
    ],
    [
      'before the VCEK',
      run({ now: new Date('2023-05-01T00:00:00Z') }),
      'CAS_ATTESTATION_CERT_NOT_YET_VALID',
    ],
    [
      'Genoa VCEK for the Milan report',
      run({
        collateral: { hclReport: m.hcl, snp: { endorsementKey: v.genoa.vcek } },
        now: v.genoa.now,
      }),
      'CAS_ATTESTATION_SIGNATURE_INVALID',
    ],
    [
      'not JSON',
      run({ evidence: new Uint8Array([1, 2, 3]) }),
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    ],
    [
      'message not hex',
      run({ quote: { ...m.quote, message: 'zz' } }),
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    ],
  ];
  for (const [name, fn, expected] of cases) assert.equal(codeOf(fn), expected, name);
  // The verifier's own binding rule: extraData = SHA-256(expected report data).
  assert.equal(
    codeOf(() =>
      verifyAzureVtpm({
        evidence: encode(m.quote),
        collateral: { hclReport: m.hcl, snp: m.snp },
        now: m.now,
        expectedReportData: new Uint8Array(64),
      }),
    ),
    'CAS_ATTESTATION_REPORT_DATA_MISMATCH',
  );
  assert.notEqual(
    createHash('sha256').update(new Uint8Array(64)).digest('hex'),
    Buffer.from('challenge').toString('hex'),
  );
});

test('TPMS_ATTEST parsing consumes exactly the message', (t) => {
  const v = load(t);
  if (v === null) return;
  const message = Buffer.from(v.milan.quote.message, 'hex');
  const attest = parseTpmsAttest(message);
  assert.deepEqual(attest.pcrSelections, [
    { hash: 0x000b, pcrs: Array.from({ length: 24 }, (_, i) => i) },
  ]);
  assert.equal(
    Buffer.from(attest.pcrDigest).toString('hex'),
    '0daff74c2fca14910b1e9b54a384707434c3365db9f163cc73a39a9f7500833f',
  );
  assert.equal(
    codeOf(() => parseTpmsAttest(Buffer.concat([message, Buffer.of(0)]))),
    'CAS_ATTESTATION_EVIDENCE_MALFORMED',
  );
});

test('fast-check: truncations and mutations of the vTPM vectors never crash and always give a CasError', (t) => {
  const v = load(t);
  if (v === null) return;
  const m = v.milan;
  const message = Buffer.from(m.quote.message, 'hex');
  const runtimeEnd = 0x4d4 + Buffer.from(m.hcl).readUInt32LE(0x4d0);
  fc.assert(
    fc.property(
      fc.nat({ max: m.hcl.length - 1 }),
      fc.integer({ min: 1, max: 255 }),
      fc.boolean(),
      (offset, mask, truncate) => {
        const hcl = truncate ? m.hcl.subarray(0, offset) : m.hcl.slice();
        if (!truncate) hcl[offset]! ^= mask;
        const code = codeOf(() =>
          verifyAzureVtpm({
            evidence: encode(m.quote),
            collateral: { hclReport: hcl, snp: m.snp },
            now: m.now,
          }),
        );
        // Bytes after the runtime data are padding that nothing signs.
        assert.ok(code === 'OK' || code.startsWith('CAS_ATTESTATION_'), code);
        if (truncate && offset < runtimeEnd) assert.notEqual(code, 'OK');
      },
    ),
    { numRuns: 80 },
  );
  fc.assert(
    fc.property(
      fc.nat({ max: message.length - 1 }),
      fc.integer({ min: 1, max: 255 }),
      fc.boolean(),
      (offset, mask, truncate) => {
        const changed = truncate ? message.subarray(0, offset) : Buffer.from(message);
        if (!truncate) changed[offset]! ^= mask;
        const code = codeOf(() =>
          verifyAzureVtpm({
            evidence: encode({ ...m.quote, message: changed.toString('hex') }),
            collateral: { hclReport: m.hcl, snp: m.snp },
            now: m.now,
          }),
        );
        assert.notEqual(code, 'OK');
      },
    ),
    { numRuns: 80 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      assert.notEqual(
        codeOf(() => verifyAzureVtpm({ evidence: bytes, collateral: undefined, now: m.now })),
        'OK',
      );
    }),
    { numRuns: 100 },
  );
});

test('fast-check: mutations of the Genoa envelope fail with a code, or mean the same evidence (whitespace, text outside the PEM)', (t) => {
  const v = load(t);
  if (v === null) return;
  const g = v.genoa;
  const original = verifyAzureVtpm({ evidence: g.evidence, collateral: undefined, now: g.now });
  fc.assert(
    fc.property(
      fc.nat({ max: g.evidence.length - 1 }),
      fc.integer({ min: 1, max: 255 }),
      (offset, mask) => {
        let claims: unknown;
        const code = codeOf(() => {
          claims = verifyAzureVtpm({
            evidence: flipped(g.evidence, offset, mask),
            collateral: undefined,
            now: g.now,
          });
        });
        assert.ok(code === 'OK' || code.startsWith('CAS_ATTESTATION_'), code);
        if (code === 'OK') assert.deepEqual(claims, original, `offset ${offset}`);
      },
    ),
    { numRuns: 150 },
  );
});
