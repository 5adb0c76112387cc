import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchAttestation } from '../../../../src/attestation/match/match-claims.js';
import type { Claims } from '../../../../src/attestation/verifier.js';
import type { AttestationVariant } from '../../../../src/policy/types.js';

const P64 = (byte: string): string => byte.repeat(32);

/** Claims as the `tpm` verifier gives them: the selected SHA-256 PCRs as `pcrN`. */
const tpm: Claims = {
  type: 'tpm',
  report_data: '00'.repeat(32),
  measurements: { pcr0: P64('10'), pcr7: P64('17'), pcr11: P64('1b') },
  tcb_status: 'UpToDate',
  advisory_ids: [],
  debug: false,
  extra: {},
};

const snp: Claims = {
  type: 'snp',
  report_data: '00'.repeat(64),
  measurements: { measurement: '33'.repeat(48), pcr0: P64('10') },
  tcb_status: 'UpToDate',
  advisory_ids: [],
  debug: false,
  extra: {},
};

const cases: ReadonlyArray<{
  name: string;
  claims: Claims;
  variants: AttestationVariant[];
  expect: number | string;
}> = [
  { name: 'one PCR holds', claims: tpm, variants: [{ tpm: { pcr0: P64('10') } }], expect: 0 },
  {
    name: 'several PCRs hold, hex case ignored',
    claims: tpm,
    variants: [{ tpm: { pcr0: P64('10'), pcr7: P64('17'), pcr11: P64('1B') } }],
    expect: 0,
  },
  {
    name: 'a PCR differs',
    claims: tpm,
    variants: [{ tpm: { pcr0: P64('10'), pcr7: P64('18') } }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'a PCR the quote does not cover',
    claims: tpm,
    variants: [{ tpm: { pcr4: P64('10') } }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'not a PCR name',
    claims: tpm,
    variants: [{ tpm: { pcr24: P64('10') } }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'no PCR at all',
    claims: tpm,
    variants: [{ tpm: {} }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'a tpm factor applies only to tpm claims',
    claims: snp,
    variants: [{ tpm: { pcr0: P64('10') } }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'other factors do not apply to tpm claims',
    claims: tpm,
    variants: [{ snp: { measurement: '33'.repeat(48) } }, { tpm: { pcr7: P64('17') } }],
    expect: 1,
  },
];

describe('the tpm factor', () => {
  for (const c of cases) {
    test(c.name, () => {
      const result = matchAttestation({
        claims: c.claims,
        variants: c.variants,
        security: { mode: 'hardware', tolerate: [], ignore_advisories: [] },
      });
      if (typeof c.expect === 'number') {
        assert.deepEqual(result, { ok: true, variantIndex: c.expect });
      } else {
        assert.equal(result.ok, false);
        if (!result.ok) assert.equal(result.code, c.expect);
      }
    });
  }

  test('the refusal says which PCR was observed and which expected', () => {
    const result = matchAttestation({
      claims: tpm,
      variants: [{ tpm: { pcr7: P64('18') } }],
      security: { mode: 'hardware', tolerate: [], ignore_advisories: [] },
    });
    assert.ok(!result.ok);
    assert.match(
      result.reason,
      new RegExp(`tpm\\.pcr7: observed ${P64('17')}, expected ${P64('18')}`),
    );
  });
});
