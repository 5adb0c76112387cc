import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadIntelVectors, outcome, type IntelVector } from './intel-vectors.js';

test('SGX vector 1 (dcap-qvl quote v3) verifies at its fixed clock with the asserted status and advisories', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const { quote, collateral, now, verifier } = v.sgx;
  const claims = await verifier.verify({ evidence: quote, collateral, now });
  assert.equal(claims.type, 'sgx-dcap');
  assert.equal(claims.tcb_status, 'ConfigurationAndSWHardeningNeeded');
  assert.deepEqual(claims.advisory_ids, ['INTEL-SA-00289', 'INTEL-SA-00615']);
  assert.equal(claims.debug, false);
  assert.deepEqual(claims.measurements, {
    mrenclave: '33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb',
    mrsigner: '815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6',
  });
  assert.equal(claims.report_data, Buffer.from('Hello, world!').toString('hex') + '00'.repeat(51));
  assert.equal(claims.extra['isvprodid'], 0);
  assert.equal(claims.extra['isvsvn'], 0);
  assert.equal(claims.extra['attributes'], '0500000000000000e700000000000000');
  assert.equal(claims.extra['fmspc'], '00a067110000');
  assert.equal(claims.extra['platform_tcb_status'], 'ConfigurationAndSWHardeningNeeded');
  assert.equal(claims.extra['qe_tcb_status'], 'UpToDate');
  assert.equal(claims.extra['tcb_evaluation_data_number'], 17);
});

test('SGX vector 2 (automata quote v3) verifies as SWHardeningNeeded [INTEL-SA-00615]', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const { quote, collateral, now, verifier } = v.automata;
  const claims = await verifier.verify({ evidence: quote, collateral, now });
  assert.equal(claims.tcb_status, 'SWHardeningNeeded');
  assert.deepEqual(claims.advisory_ids, ['INTEL-SA-00615']);
  assert.equal(
    claims.measurements['mrenclave'],
    'a4f45c39dac622cb1dd32ddb35a52ec92db41d0fa88a1c911c49e59c534f61cd',
  );
  assert.equal(
    claims.measurements['mrsigner'],
    '8f2dbc0f9c5d3378d596974b2deed1f93223cc49242899f83809bcc92546132c',
  );
  assert.equal(claims.report_data, '00'.repeat(64));
  assert.equal(claims.extra['fmspc'], '00606a000000');
});

test('SGX vector 3 (debug enclave) is refused by default and verifies only with allowDebug', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const { quote, collateral, now, verifier } = v.sgxDebug;
  assert.equal(
    await outcome(verifier.verify({ evidence: quote, collateral, now })),
    'CAS_ATTESTATION_DEBUG_REFUSED',
  );
  const claims = await verifier.verify({ evidence: quote, collateral, now, allowDebug: true });
  assert.equal(claims.debug, true);
  assert.equal(claims.tcb_status, 'ConfigurationAndSWHardeningNeeded');
  assert.equal(
    claims.measurements['mrenclave'],
    'a39d532e6ac9fe8ad9418851bbe26e1dee7408006505fce8580b511b97e704b4',
  );
  assert.equal(claims.extra['attributes'], '0700000000000000ff02000000000000');
});

test('TDX vector 4 (dcap-qvl quote v4) verifies UpToDate with its measurements', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const { quote, collateral, now, verifier } = v.tdx;
  const claims = await verifier.verify({ evidence: quote, collateral, now });
  assert.equal(claims.type, 'tdx');
  assert.equal(claims.tcb_status, 'UpToDate');
  assert.deepEqual(claims.advisory_ids, []);
  assert.equal(claims.debug, false);
  assert.deepEqual(claims.measurements, {
    mrtd: '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7',
    rtmr0:
      '44c0197b39157fdd7a4dcc44767f9d6b0bb3977c7a8e347b8492f827fe9d9e5c48aca29b220b80b6a540cf994b9bc9c0',
    rtmr1:
      '0084452c01668329d4bc06acdf58a7205c26743304509973949e5619bf81a6a7aea8c323c173019b3093d54e579e9378',
    rtmr2:
      'd833feef2cd945148aa38ead2c53e9b7f138190aaaebfc551dccd829fc207aa3ba80b70870d7330733642e01d48c3132',
    rtmr3: '00'.repeat(48),
    mrconfigid: '00'.repeat(48),
    mrowner: '00'.repeat(48),
    mrownerconfig: '00'.repeat(48),
  });
  assert.equal(
    claims.report_data,
    '9a9d48e7f6799642d3d1b34e1e5e1742d4bb02dd6ddd551862c1211d35c304f9eca3efdbb481601c163cf52493d6e44aed55d51ec39b7e518fadb92c2b523f20',
  );
  assert.equal(claims.extra['sept_ve_disable'], true);
  assert.equal(claims.extra['td_attributes'], '0000001000000000');
  assert.equal(claims.extra['tdx_module_id'], 'TDX_01');
  assert.equal(claims.extra['tdx_module_tcb_status'], 'UpToDate');
  assert.equal(claims.extra['fmspc'], 'b0c06f000000');
  assert.equal(claims.extra['quote_version'], 4);
});

test('TDX vector 6 (quote v5, TD 1.5) is refused: no TCB level matches', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const { quote, collateral, now, verifier } = v.tdxOutdated;
  assert.equal(
    await outcome(verifier.verify({ evidence: quote, collateral, now })),
    'CAS_ATTESTATION_TCB_NO_MATCH',
  );
});

test('TDX vector 7 (go-tdx-guest SPR E4) passes every signature but no TCB level matches', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const { quote, collateral, now, verifier } = v.gotdx;
  assert.equal(
    await outcome(verifier.verify({ evidence: quote, collateral, now })),
    'CAS_ATTESTATION_TCB_NO_MATCH',
  );
  // 2053: the PCK certificate (valid to 2029-09-20) has expired, as the source asserts
  assert.equal(
    await outcome(
      verifier.verify({ evidence: quote, collateral, now: new Date('2053-07-01T01:00:00Z') }),
    ),
    'CAS_ATTESTATION_CERT_EXPIRED',
  );
});

test('the expected report data binds: equal passes, anything else is refused', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  for (const name of ['sgx', 'tdx'] as const) {
    const vector: IntelVector = v[name];
    const { quote, collateral, now, verifier } = vector;
    const claims = await verifier.verify({ evidence: quote, collateral, now });
    const good = new Uint8Array(Buffer.from(claims.report_data, 'hex'));
    await verifier.verify({ evidence: quote, collateral, now, expectedReportData: good });
    const bad = new Uint8Array(good);
    bad[63] = (bad[63] as number) ^ 1;
    assert.equal(
      await outcome(verifier.verify({ evidence: quote, collateral, now, expectedReportData: bad })),
      'CAS_ATTESTATION_REPORT_DATA_MISMATCH',
    );
    assert.equal(
      await outcome(
        verifier.verify({
          evidence: quote,
          collateral,
          now,
          expectedReportData: good.subarray(0, 32),
        }),
      ),
      'CAS_ATTESTATION_REPORT_DATA_MISMATCH',
    );
  }
});

test('a quote given to the verifier of the other TEE is refused', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  assert.equal(
    await outcome(
      v.tdx.verifier.verify({
        evidence: v.sgx.quote,
        collateral: v.sgx.collateral,
        now: v.sgx.now,
      }),
    ),
    'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
  );
  assert.equal(
    await outcome(
      v.sgx.verifier.verify({
        evidence: v.tdx.quote,
        collateral: v.tdx.collateral,
        now: v.tdx.now,
      }),
    ),
    'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
  );
});

test('an invalid verification time is refused, never treated as inside every window', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const { quote, collateral, verifier } = v.sgx;
  assert.equal(
    await outcome(verifier.verify({ evidence: quote, collateral, now: new Date(NaN) })),
    'CAS_INTERNAL',
  );
});
