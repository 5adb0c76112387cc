import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sgxDcapVerifier } from '../../../../src/attestation/intel/sgx-verifier.js';
import { matchAttestation } from '../../../../src/attestation/match/match-claims.js';
import { loadDcapCollateral } from '../../../../src/collateral/dcap-collateral-source.js';
import { nitroVerifier } from '../../../../src/attestation/nitro/nitro-verifier.js';
import { createSnpVerifier } from '../../../../src/attestation/snp/snp-verifier.js';
import type { AttestationVariant, SecurityPolicy } from '../../../../src/policy/types.js';
import { requireShared } from '../../../helpers/shared.js';

const hardware: SecurityPolicy['attestation'] = {
  mode: 'hardware',
  tolerate: [],
  ignore_advisories: [],
};

test('claims of the real SNP vectors against snp factors, and the go-sev-guest minimum TCB bounds', async (t) => {
  const dir = requireShared(t, 'testvectors', 'sev-snp');
  if (dir === null) return;
  const read = (file: string): Uint8Array => new Uint8Array(readFileSync(join(dir, file)));
  const claims = await createSnpVerifier().verify({
    evidence: read('trustee_milan_report.bin'),
    collateral: { endorsementKey: read('trustee_milan_vcek.der') },
    now: new Date(1719187200 * 1000),
  });
  const measurement =
    'A1F3930413247BB38CFC171579EA3C12D5FE4901F0C792F63FD75D98F1EF827C23500644E0E692E6BE917F9050D3D38C';
  const cases: [string, AttestationVariant, boolean][] = [
    [
      'measurement, family and exact min_tcb',
      {
        snp: {
          measurement,
          family: 'Milan',
          min_tcb: { bootloader: 3, tee: 0, snp: 8, microcode: 115 },
        },
      },
      true,
    ],
    ['host_data zero', { snp: { measurement, host_data: '00'.repeat(32) } }, true],
    ['host_data 00..01', { snp: { measurement, host_data: '00'.repeat(31) + '01' } }, false],
    ['min microcode 116', { snp: { measurement, min_tcb: { microcode: 116 } } }, false],
    ['family Genoa', { snp: { measurement, family: 'Genoa' } }, false],
    ['another measurement', { snp: { measurement: 'b0' + measurement.slice(2) } }, false],
  ];
  for (const [name, variant, ok] of cases) {
    assert.equal(
      matchAttestation({ claims, variants: [variant], security: hardware }).ok,
      ok,
      name,
    );
  }
  // go-sev-guest: minimum_tcb 4901323769462652930 (= its reported TCB) passes, ...931 fails.
  const gsg = await createSnpVerifier().verify({
    evidence: read('gosevguest_milan_attestation.bin'),
    collateral: { endorsementKey: read('gosevguest_milan_vcek.der') },
    now: new Date(1663981200 * 1000),
    allowDebug: true,
  });
  const tcbOf = (raw: bigint) => ({
    bootloader: Number(raw & 0xffn),
    tee: Number((raw >> 8n) & 0xffn),
    snp: Number((raw >> 48n) & 0xffn),
    microcode: Number((raw >> 56n) & 0xffn),
  });
  const debugOk: SecurityPolicy['attestation'] = { ...hardware, tolerate: ['debug-mode'] };
  const gm = gsg.measurements['measurement']!;
  const variant = (raw: bigint): AttestationVariant[] => [
    { snp: { measurement: gm, min_tcb: tcbOf(raw) } },
  ];
  assert.equal(
    matchAttestation({ claims: gsg, variants: variant(4901323769462652930n), security: debugOk })
      .ok,
    true,
  );
  assert.equal(
    matchAttestation({ claims: gsg, variants: variant(4901323769462652931n), security: debugOk })
      .ok,
    false,
  );
  const refused = matchAttestation({
    claims: gsg,
    variants: variant(4901323769462652930n),
    security: hardware,
  });
  assert.equal(refused.ok ? 'OK' : refused.code, 'CAS_ATTESTATION_DEBUG_REFUSED');
});

test('claims of the real Nitro documents against nitro factors', async (t) => {
  const dir = requireShared(t, 'testvectors', 'nitro');
  if (dir === null) return;
  const doc = (file: string): Uint8Array =>
    new Uint8Array(Buffer.from(readFileSync(join(dir, file), 'utf8'), 'base64'));
  const claims = await nitroVerifier.verify({
    evidence: doc('blocky_nitro_attestation.b64'),
    collateral: undefined,
    now: new Date(1725719859545),
  });
  const pcrs = {
    pcr0: claims.measurements['pcr0']!,
    pcr1: claims.measurements['pcr1']!,
    pcr2: claims.measurements['pcr2']!,
  };
  assert.deepEqual(matchAttestation({ claims, variants: [{ nitro: pcrs }], security: hardware }), {
    ok: true,
    variantIndex: 0,
  });
  assert.equal(
    matchAttestation({
      claims,
      variants: [{ nitro: { ...pcrs, pcr8: '11'.repeat(48) } }],
      security: hardware,
    }).ok,
    false,
  );
  const debug = await nitroVerifier.verify({
    evidence: doc('blocky_nitro_attestation_debug.b64'),
    collateral: undefined,
    now: new Date(1725719886508),
    allowDebug: true,
  });
  const zero = { pcr0: '00'.repeat(48), pcr1: '00'.repeat(48), pcr2: '00'.repeat(48) };
  const refused = matchAttestation({
    claims: debug,
    variants: [{ nitro: zero }],
    security: hardware,
  });
  assert.equal(refused.ok ? 'OK' : refused.code, 'CAS_ATTESTATION_DEBUG_REFUSED');
  assert.equal(
    matchAttestation({
      claims: debug,
      variants: [{ nitro: zero }],
      security: { ...hardware, tolerate: ['debug-mode'] },
    }).ok,
    true,
  );
});

test('claims of the real SGX vector: its TCB categories and advisories must all be tolerated', async (t) => {
  const dir = requireShared(t, 'testvectors', 'sgx');
  if (dir === null) return;
  const quote = new Uint8Array(readFileSync(join(dir, 'dcapqvl_sgx_quote.bin')));
  const collateral = await loadDcapCollateral(
    join(dir, 'dcapqvl_sgx_quote_collateral.json'),
    quote,
  );
  const claims = await sgxDcapVerifier.verify({
    evidence: quote,
    collateral,
    now: new Date(1751328000 * 1000),
  });
  const variants: AttestationVariant[] = [
    { mrenclave: ['33D8736DB756ED4997E04BA358D27833188F1932FF7B1D156904D3F560452FBB'] },
  ];
  const both = ['insecure-configuration', 'software-hardening-needed'];
  const cases: [string, SecurityPolicy['attestation'], string][] = [
    ['nothing tolerated', hardware, 'CAS_ATTESTATION_TCB_NOT_TOLERATED'],
    [
      'one category',
      { ...hardware, tolerate: ['software-hardening-needed'] },
      'CAS_ATTESTATION_TCB_NOT_TOLERATED',
    ],
    [
      'both categories, no advisory',
      { ...hardware, tolerate: both },
      'CAS_ATTESTATION_ADVISORY_NOT_IGNORED',
    ],
    [
      'one advisory',
      { ...hardware, tolerate: both, ignore_advisories: ['INTEL-SA-00615'] },
      'CAS_ATTESTATION_ADVISORY_NOT_IGNORED',
    ],
    [
      'both advisories',
      { ...hardware, tolerate: both, ignore_advisories: ['INTEL-SA-00289', 'INTEL-SA-00615'] },
      'OK',
    ],
  ];
  for (const [name, security, expected] of cases) {
    const result = matchAttestation({ claims, variants, security });
    assert.equal(result.ok ? 'OK' : result.code, expected, name);
  }
});
