import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertAttestationMatches,
  matchAttestation,
  type MatchAttestationInput,
} from '../../../../src/attestation/match/match-claims.js';
import type { Claims, TcbStatus } from '../../../../src/attestation/verifier.js';
import type { AttestationVariant, SecurityPolicy } from '../../../../src/policy/types.js';
import { CasError } from '../../../../src/errors/cas-error.js';

const MRE = 'aa'.repeat(32);
const MRS = 'bb'.repeat(32);
const P96 = (byte: string): string => byte.repeat(48);

const base = {
  sgx: {
    type: 'sgx-dcap',
    report_data: '00'.repeat(64),
    measurements: { mrenclave: MRE, mrsigner: MRS },
    tcb_status: 'UpToDate',
    advisory_ids: [],
    debug: false,
    extra: { isvprodid: 7, isvsvn: 3 },
  },
  sim: {
    type: 'sim',
    report_data: '00'.repeat(64),
    measurements: { mrenclave: MRE },
    tcb_status: 'NotApplicable',
    advisory_ids: [],
    debug: false,
    extra: { platform_id: 'LAS1' },
  },
  tdx: {
    type: 'tdx',
    report_data: '00'.repeat(64),
    measurements: { mrtd: P96('11'), rtmr0: P96('22'), rtmr3: P96('00') },
    tcb_status: 'UpToDate',
    advisory_ids: [],
    debug: false,
    extra: {},
  },
  snp: {
    type: 'snp',
    report_data: '00'.repeat(64),
    measurements: { measurement: P96('33'), host_data: '44'.repeat(32) },
    tcb_status: 'NotApplicable',
    advisory_ids: [],
    debug: false,
    extra: { family: 'Milan', reported_tcb: { bootloader: 3, tee: 0, snp: 8, microcode: 115 } },
  },
  nitro: {
    type: 'nitro',
    report_data: '',
    measurements: { pcr0: P96('55'), pcr1: P96('66'), pcr2: P96('77'), pcr8: P96('00') },
    tcb_status: 'NotApplicable',
    advisory_ids: [],
    debug: false,
    extra: {},
  },
} satisfies Record<string, Claims>;

const hardware: SecurityPolicy['attestation'] = {
  mode: 'hardware',
  tolerate: [],
  ignore_advisories: [],
};

interface Case {
  readonly name: string;
  readonly claims: Claims;
  readonly variants: readonly AttestationVariant[];
  readonly security?: Partial<SecurityPolicy['attestation']>;
  readonly platforms?: readonly string[];
  /** `0`, `1`... the matching variant index; a code for a refusal. */
  readonly expect: number | string;
}

const withTcb = (claims: Claims, tcb_status: TcbStatus, advisory_ids: string[] = []): Claims => ({
  ...claims,
  tcb_status,
  advisory_ids,
});
const debug = (claims: Claims): Claims => ({ ...claims, debug: true });

const cases: Case[] = [
  // Variants OR, factors AND.
  {
    name: 'mrenclave in the list',
    claims: base.sgx,
    variants: [{ mrenclave: ['00'.repeat(32), MRE.toUpperCase()] }],
    expect: 0,
  },
  {
    name: 'mrenclave not in the list',
    claims: base.sgx,
    variants: [{ mrenclave: ['00'.repeat(32)] }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'second variant matches',
    claims: base.sgx,
    variants: [{ mrenclave: ['00'.repeat(32)] }, { mrenclave: [MRE] }],
    expect: 1,
  },
  {
    name: 'signer with exact isvsvn',
    claims: base.sgx,
    variants: [{ signer: { mrsigner: MRS, isvprodid: 7, isvsvn: 3 } }],
    expect: 0,
  },
  {
    name: 'signer isvsvn range',
    claims: base.sgx,
    variants: [{ signer: { mrsigner: MRS, isvprodid: 7, isvsvn_min: 2, isvsvn_max: 3 } }],
    expect: 0,
  },
  {
    name: 'signer isvsvn below min',
    claims: base.sgx,
    variants: [{ signer: { mrsigner: MRS, isvprodid: 7, isvsvn_min: 4 } }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'signer isvsvn above max',
    claims: base.sgx,
    variants: [{ signer: { mrsigner: MRS, isvprodid: 7, isvsvn_max: 2 } }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'signer wrong isvprodid',
    claims: base.sgx,
    variants: [{ signer: { mrsigner: MRS, isvprodid: 8 } }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'signer wrong mrsigner',
    claims: base.sgx,
    variants: [{ signer: { mrsigner: MRE, isvprodid: 7 } }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'AND: mrenclave ok but signer not',
    claims: base.sgx,
    variants: [{ mrenclave: [MRE], signer: { mrsigner: MRS, isvprodid: 8 } }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'AND: both hold',
    claims: base.sgx,
    variants: [{ mrenclave: [MRE], signer: { mrsigner: MRS, isvprodid: 7 } }],
    expect: 0,
  },
  {
    name: 'empty variant matches nothing',
    claims: base.sgx,
    variants: [{}],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'no variants',
    claims: base.sgx,
    variants: [],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'tdx factor holds',
    claims: base.tdx,
    variants: [{ tdx: { mrtd: P96('11').toUpperCase(), rtmr0: P96('22') } }],
    expect: 0,
  },
  {
    name: 'tdx rtmr0 differs',
    claims: base.tdx,
    variants: [{ tdx: { mrtd: P96('11'), rtmr0: P96('23') } }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'tdx register absent from the evidence',
    claims: base.tdx,
    variants: [{ tdx: { mrconfigid: P96('00') } }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'tdx factor on sgx evidence',
    claims: base.sgx,
    variants: [{ tdx: { mrtd: P96('11') } }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'mrenclave factor on tdx evidence',
    claims: base.tdx,
    variants: [{ mrenclave: [MRE] }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'snp measurement, host_data, family, min_tcb hold',
    claims: base.snp,
    variants: [
      {
        snp: {
          measurement: P96('33'),
          host_data: '44'.repeat(32),
          family: 'Milan',
          min_tcb: { bootloader: 3, tee: 0, snp: 8, microcode: 115 },
        },
      },
    ],
    expect: 0,
  },
  {
    name: 'snp wrong family',
    claims: base.snp,
    variants: [{ snp: { measurement: P96('33'), family: 'Genoa' } }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'snp below min_tcb microcode',
    claims: base.snp,
    variants: [{ snp: { measurement: P96('33'), min_tcb: { microcode: 116 } } }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'snp host_data differs',
    claims: base.snp,
    variants: [{ snp: { measurement: P96('33'), host_data: '45'.repeat(32) } }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'snp factor without measurement matches nothing',
    claims: base.snp,
    variants: [{ snp: { family: 'Milan' } }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'nitro PCRs hold',
    claims: base.nitro,
    variants: [{ nitro: { pcr0: P96('55'), pcr1: P96('66'), pcr2: P96('77') } }],
    expect: 0,
  },
  {
    name: 'nitro PCR8 differs',
    claims: base.nitro,
    variants: [{ nitro: { pcr0: P96('55'), pcr8: P96('01') } }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'nitro bad key name',
    claims: base.nitro,
    variants: [{ nitro: { pcr99: P96('55') } }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'nitro factor with no PCR',
    claims: base.nitro,
    variants: [{ nitro: {} }],
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  // Modes and platforms.
  {
    name: 'hardware refuses sim',
    claims: base.sim,
    variants: [{ mrenclave: [MRE] }],
    expect: 'CAS_ATTESTATION_MODE_REFUSED',
  },
  {
    name: 'simulation accepts sim',
    claims: base.sim,
    variants: [{ mrenclave: [MRE] }],
    security: { mode: 'simulation' },
    expect: 0,
  },
  {
    name: 'simulation, platform listed',
    claims: base.sim,
    variants: [{ mrenclave: [MRE] }],
    security: { mode: 'simulation' },
    platforms: ['LAS0', 'LAS1'],
    expect: 0,
  },
  {
    name: 'simulation, platform not listed',
    claims: base.sim,
    variants: [{ mrenclave: [MRE] }],
    security: { mode: 'simulation' },
    platforms: ['LAS0'],
    expect: 'CAS_ATTESTATION_PLATFORM_REFUSED',
  },
  {
    name: 'simulation accepts hardware evidence too',
    claims: base.sgx,
    variants: [{ mrenclave: [MRE] }],
    security: { mode: 'simulation' },
    expect: 0,
  },
  {
    name: 'simulation still checks measurements',
    claims: base.sim,
    variants: [{ mrenclave: [MRS] }],
    security: { mode: 'simulation' },
    expect: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
  },
  {
    name: 'none accepts anything',
    claims: debug(withTcb(base.sgx, 'Revoked')),
    variants: [],
    security: { mode: 'none' },
    expect: -1,
  },
  // Debug.
  {
    name: 'debug refused by default',
    claims: debug(base.nitro),
    variants: [{ nitro: { pcr0: P96('55') } }],
    expect: 'CAS_ATTESTATION_DEBUG_REFUSED',
  },
  {
    name: 'debug tolerated',
    claims: debug(base.nitro),
    variants: [{ nitro: { pcr0: P96('55') } }],
    security: { tolerate: ['debug-mode'] },
    expect: 0,
  },
  // TCB status categories.
  {
    name: 'UpToDate',
    claims: withTcb(base.sgx, 'UpToDate'),
    variants: [{ mrenclave: [MRE] }],
    expect: 0,
  },
  {
    name: 'SWHardeningNeeded untolerated',
    claims: withTcb(base.sgx, 'SWHardeningNeeded'),
    variants: [{ mrenclave: [MRE] }],
    expect: 'CAS_ATTESTATION_TCB_NOT_TOLERATED',
  },
  {
    name: 'SWHardeningNeeded tolerated',
    claims: withTcb(base.sgx, 'SWHardeningNeeded'),
    variants: [{ mrenclave: [MRE] }],
    security: { tolerate: ['software-hardening-needed'] },
    expect: 0,
  },
  {
    name: 'ConfigurationNeeded untolerated',
    claims: withTcb(base.sgx, 'ConfigurationNeeded'),
    variants: [{ mrenclave: [MRE] }],
    security: { tolerate: ['software-hardening-needed'] },
    expect: 'CAS_ATTESTATION_TCB_NOT_TOLERATED',
  },
  {
    name: 'ConfigurationNeeded tolerated',
    claims: withTcb(base.sgx, 'ConfigurationNeeded'),
    variants: [{ mrenclave: [MRE] }],
    security: { tolerate: ['insecure-configuration'] },
    expect: 0,
  },
  {
    name: 'ConfigurationAndSWHardeningNeeded needs both (one given)',
    claims: withTcb(base.sgx, 'ConfigurationAndSWHardeningNeeded'),
    variants: [{ mrenclave: [MRE] }],
    security: { tolerate: ['insecure-configuration'] },
    expect: 'CAS_ATTESTATION_TCB_NOT_TOLERATED',
  },
  {
    name: 'ConfigurationAndSWHardeningNeeded with both',
    claims: withTcb(base.sgx, 'ConfigurationAndSWHardeningNeeded'),
    variants: [{ mrenclave: [MRE] }],
    security: { tolerate: ['insecure-configuration', 'software-hardening-needed'] },
    expect: 0,
  },
  {
    name: 'OutOfDate untolerated',
    claims: withTcb(base.sgx, 'OutOfDate'),
    variants: [{ mrenclave: [MRE] }],
    expect: 'CAS_ATTESTATION_TCB_NOT_TOLERATED',
  },
  {
    name: 'OutOfDate tolerated',
    claims: withTcb(base.sgx, 'OutOfDate'),
    variants: [{ mrenclave: [MRE] }],
    security: { tolerate: ['outdated-tcb'] },
    expect: 0,
  },
  {
    name: 'OutOfDateConfigurationNeeded with outdated-tcb only',
    claims: withTcb(base.sgx, 'OutOfDateConfigurationNeeded'),
    variants: [{ mrenclave: [MRE] }],
    security: { tolerate: ['outdated-tcb'] },
    expect: 'CAS_ATTESTATION_TCB_NOT_TOLERATED',
  },
  {
    name: 'OutOfDateConfigurationNeeded with both',
    claims: withTcb(base.sgx, 'OutOfDateConfigurationNeeded'),
    variants: [{ mrenclave: [MRE] }],
    security: { tolerate: ['outdated-tcb', 'insecure-configuration'] },
    expect: 0,
  },
  {
    name: 'Revoked never, whatever is tolerated',
    claims: withTcb(base.sgx, 'Revoked'),
    variants: [{ mrenclave: [MRE] }],
    security: {
      tolerate: [
        'outdated-tcb',
        'insecure-configuration',
        'software-hardening-needed',
        'debug-mode',
      ],
      ignore_advisories: ['*'],
    },
    expect: 'CAS_ATTESTATION_TCB_NOT_TOLERATED',
  },
  {
    name: 'SNP OutOfDate (below the verifier minimum) untolerated',
    claims: withTcb(base.snp, 'OutOfDate'),
    variants: [{ snp: { measurement: P96('33') } }],
    expect: 'CAS_ATTESTATION_TCB_NOT_TOLERATED',
  },
  // Advisories.
  {
    name: 'advisory not ignored',
    claims: withTcb(base.sgx, 'SWHardeningNeeded', ['INTEL-SA-00615']),
    variants: [{ mrenclave: [MRE] }],
    security: { tolerate: ['software-hardening-needed'] },
    expect: 'CAS_ATTESTATION_ADVISORY_NOT_IGNORED',
  },
  {
    name: 'advisory ignored',
    claims: withTcb(base.sgx, 'SWHardeningNeeded', ['INTEL-SA-00615']),
    variants: [{ mrenclave: [MRE] }],
    security: { tolerate: ['software-hardening-needed'], ignore_advisories: ['INTEL-SA-00615'] },
    expect: 0,
  },
  {
    name: 'one of two advisories ignored',
    claims: withTcb(base.sgx, 'ConfigurationAndSWHardeningNeeded', [
      'INTEL-SA-00289',
      'INTEL-SA-00615',
    ]),
    variants: [{ mrenclave: [MRE] }],
    security: {
      tolerate: ['software-hardening-needed', 'insecure-configuration'],
      ignore_advisories: ['INTEL-SA-00615'],
    },
    expect: 'CAS_ATTESTATION_ADVISORY_NOT_IGNORED',
  },
  {
    name: '"*" without debug-mode ignores nothing',
    claims: withTcb(base.sgx, 'SWHardeningNeeded', ['INTEL-SA-00615']),
    variants: [{ mrenclave: [MRE] }],
    security: { tolerate: ['software-hardening-needed'], ignore_advisories: ['*'] },
    expect: 'CAS_ATTESTATION_ADVISORY_NOT_IGNORED',
  },
  {
    name: '"*" with debug-mode ignores all',
    claims: withTcb(base.sgx, 'SWHardeningNeeded', ['INTEL-SA-00615']),
    variants: [{ mrenclave: [MRE] }],
    security: { tolerate: ['software-hardening-needed', 'debug-mode'], ignore_advisories: ['*'] },
    expect: 0,
  },
];

test('matchAttestation: every rule of session-language.md, table-driven', () => {
  for (const c of cases) {
    const input: MatchAttestationInput = {
      claims: c.claims,
      variants: c.variants,
      security: { ...hardware, ...c.security },
      ...(c.platforms === undefined ? {} : { platforms: c.platforms }),
    };
    const result = matchAttestation(input);
    if (typeof c.expect === 'number') {
      assert.deepEqual(
        result,
        { ok: true, variantIndex: c.expect },
        `${c.name}: ${result.ok ? '' : result.reason}`,
      );
    } else {
      assert.equal(result.ok, false, c.name);
      if (!result.ok) {
        assert.equal(result.code, c.expect, `${c.name}: ${result.reason}`);
        assert.equal(result.observed.type, c.claims.type);
        assert.deepEqual(result.observed.measurements, c.claims.measurements);
      }
    }
  }
});

test('the reason names what was observed and what was expected (for the CAS log)', () => {
  const result = matchAttestation({
    claims: base.sgx,
    variants: [{ mrenclave: ['cc'.repeat(32)] }],
    security: hardware,
  });
  assert.equal(result.ok, false);
  if (!result.ok) {
    assert.match(result.reason, new RegExp(`observed ${MRE}`));
    assert.match(result.reason, new RegExp(`expected one of ${'cc'.repeat(32)}`));
    assert.equal(result.observed.measurements['mrenclave'], MRE);
  }
});

test('the whole security object is accepted, and assertAttestationMatches throws the specific code', () => {
  assert.equal(
    assertAttestationMatches({
      claims: base.sgx,
      variants: [{ mrenclave: [MRE] }],
      security: { attestation: hardware },
    }),
    0,
  );
  assert.throws(
    () =>
      assertAttestationMatches({
        claims: base.sim,
        variants: [{ mrenclave: [MRE] }],
        security: { attestation: hardware },
      }),
    (error: unknown) =>
      error instanceof CasError &&
      error.code === 'CAS_ATTESTATION_MODE_REFUSED' &&
      (error.details?.['observed'] as { type: string }).type === 'sim',
  );
});
