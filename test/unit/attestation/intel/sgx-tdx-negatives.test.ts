import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sharedDir } from '../../../helpers/shared.js';
import type { IntelCollateral } from '../../../../src/attestation/intel/collateral.js';
import { makeTdxVerifier } from '../../../../src/attestation/intel/tdx-verifier.js';
import {
  chainOf,
  flipped,
  loadIntelVectors,
  outcome,
  withByte,
  withChain,
} from './intel-vectors.js';
import type { IntelVector } from './intel-vectors.js';

test('bit flips in the SGX quote (testvectors table) fail with the code of the broken check', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const { quote, collateral, now, verifier } = v.sgx;
  const cases: [number, string, string][] = [
    [0x00, 'version', 'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED'],
    [0x02, 'attestation key type', 'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED'],
    [0x08, 'QE SVN (header)', 'CAS_ATTESTATION_SIGNATURE_INVALID'],
    [0x1e, 'user data (header)', 'CAS_ATTESTATION_SIGNATURE_INVALID'],
    [0x70, 'MRENCLAVE', 'CAS_ATTESTATION_SIGNATURE_INVALID'],
    [0x180, 'REPORTDATA', 'CAS_ATTESTATION_SIGNATURE_INVALID'],
    [0x1b4, 'ISV signature', 'CAS_ATTESTATION_SIGNATURE_INVALID'],
    [0x1f4, 'attestation key', 'CAS_ATTESTATION_KEY_BINDING_INVALID'],
    [0x234, 'QE report', 'CAS_ATTESTATION_SIGNATURE_INVALID'],
    [0x274, 'QE report', 'CAS_ATTESTATION_SIGNATURE_INVALID'],
    [0x3b4, 'QE report signature', 'CAS_ATTESTATION_SIGNATURE_INVALID'],
    [0x1b0, 'signature data length', 'CAS_ATTESTATION_EVIDENCE_MALFORMED'],
    [0x3f6, 'QE auth data', 'CAS_ATTESTATION_KEY_BINDING_INVALID'],
  ];
  for (const [offset, field, code] of cases) {
    const got = await outcome(
      verifier.verify({ evidence: flipped(quote, offset), collateral, now }),
    );
    assert.equal(got, code, `flip at 0x${offset.toString(16)} (${field})`);
  }
});

test('bit flips in the TDX quote (testvectors table) fail with the code of the broken check', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const { quote, collateral, now, verifier } = v.tdx;
  const cases: [number, string, string][] = [
    // 0x10 lies in the QE vendor id, which is checked before any signature
    [0x10, 'QE vendor id', 'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED'],
    [0x30, 'TEE_TCB_SVN', 'CAS_ATTESTATION_SIGNATURE_INVALID'],
    [0xb8, 'MRTD', 'CAS_ATTESTATION_SIGNATURE_INVALID'],
    [0x178, 'RTMR0', 'CAS_ATTESTATION_SIGNATURE_INVALID'],
    [0x238, 'REPORTDATA', 'CAS_ATTESTATION_SIGNATURE_INVALID'],
    [0x2bc, 'attestation key', 'CAS_ATTESTATION_KEY_BINDING_INVALID'],
    [0x302, 'QE report', 'CAS_ATTESTATION_SIGNATURE_INVALID'],
    [0x482, 'QE report', 'CAS_ATTESTATION_SIGNATURE_INVALID'],
    [0x700, 'PCK certificate', 'CAS_ATTESTATION_CHAIN_INVALID'],
    // a strict parser refuses what dcap-qvl-js accepts
    [0x278, 'signature data length', 'CAS_ATTESTATION_EVIDENCE_MALFORMED'],
    [0x2fc, 'outer certification data type', 'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED'],
  ];
  for (const [offset, field, code] of cases) {
    const got = await outcome(
      verifier.verify({ evidence: flipped(quote, offset), collateral, now }),
    );
    assert.equal(got, code, `flip at 0x${offset.toString(16)} (${field})`);
  }
});

test('go-tdx-guest negative byte edits (source-asserted) all fail', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const { quote, collateral, now, verifier } = v.gotdx;
  const cases: [number, number, string][] = [
    [0x00, 3, 'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED'],
    [0x278, 0x10, 'CAS_ATTESTATION_EVIDENCE_MALFORMED'],
    // inside the END line of the embedded root: a damaged PEM block is refused, not skipped
    [0x1343, 0x32, 'CAS_ATTESTATION_CHAIN_INVALID'],
    [0x1329, 0x32, 'CAS_ATTESTATION_ROOT_UNTRUSTED'],
    [0xf5f, 0x32, 'CAS_ATTESTATION_CHAIN_INVALID'],
    [0xb77, 0x32, 'CAS_ATTESTATION_CHAIN_INVALID'],
    [0x1e, 0x32, 'CAS_ATTESTATION_SIGNATURE_INVALID'],
    [0x3c, 0x32, 'CAS_ATTESTATION_SIGNATURE_INVALID'],
  ];
  for (const [offset, value, code] of cases) {
    const got = await outcome(
      verifier.verify({ evidence: withByte(quote, offset, value), collateral, now }),
    );
    assert.equal(got, code, `0x${offset.toString(16)} = 0x${value.toString(16)}`);
  }
});

test('the chain must end at the pinned Intel root; the embedded root is optional', async (t) => {
  const v = loadIntelVectors(t);
  const nitroRoot = sharedDir('testvectors', 'nitro', 'AWS_NitroEnclaves_Root-G1.pem');
  if (v === null || nitroRoot === null) return;
  for (const name of ['sgx', 'tdx'] as const) {
    const vector: IntelVector = v[name];
    const { quote, collateral, now, verifier } = vector;
    const pem = chainOf(quote);
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n?/g) ?? [];
    assert.equal(blocks.length, 3);
    const [leaf, ca] = blocks as [string, string, string];
    const wrongRoot = withChain(quote, leaf + ca + readFileSync(nitroRoot, 'utf8'));
    assert.equal(
      await outcome(verifier.verify({ evidence: wrongRoot, collateral, now })),
      'CAS_ATTESTATION_ROOT_UNTRUSTED',
    );
    // without the root the built-in one is used
    const noRoot = withChain(quote, leaf + ca);
    assert.equal(
      typeof (await outcome(verifier.verify({ evidence: noRoot, collateral, now }))),
      'object',
    );
    // the same chain rebuilt verifies (the helper itself is sound)
    assert.equal(
      typeof (await outcome(verifier.verify({ evidence: withChain(quote, pem), collateral, now }))),
      'object',
    );
    // leaf alone, or CA and leaf swapped: the roles do not fit
    assert.equal(
      await outcome(verifier.verify({ evidence: withChain(quote, leaf), collateral, now })),
      'CAS_ATTESTATION_CHAIN_INVALID',
    );
    assert.equal(
      await outcome(verifier.verify({ evidence: withChain(quote, ca + leaf), collateral, now })),
      'CAS_ATTESTATION_CHAIN_INVALID',
    );
  }
});

test('collateral at the edges of its window: one second out fails, the edge itself passes', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const cases: [keyof typeof v, string, string][] = [
    ['sgx', '2025-06-19T10:56:10Z', 'CAS_ATTESTATION_COLLATERAL_NOT_YET_VALID'],
    ['sgx', '2025-06-19T10:56:11Z', 'OK'],
    ['sgx', '2025-07-19T10:01:18Z', 'OK'],
    ['sgx', '2025-07-19T10:01:19Z', 'CAS_ATTESTATION_COLLATERAL_EXPIRED'],
    ['sgx', '2025-08-01T00:00:00Z', 'CAS_ATTESTATION_COLLATERAL_EXPIRED'],
    ['automata', '2025-08-15T05:41:25Z', 'CAS_ATTESTATION_COLLATERAL_NOT_YET_VALID'],
    ['automata', '2025-08-15T05:41:26Z', 'OK'],
    ['automata', '2025-09-14T04:36:47Z', 'CAS_ATTESTATION_COLLATERAL_EXPIRED'],
    ['tdx', '2025-06-19T10:32:26Z', 'CAS_ATTESTATION_COLLATERAL_NOT_YET_VALID'],
    ['tdx', '2025-07-19T10:00:35Z', 'OK'],
    ['tdx', '2025-07-19T10:00:36Z', 'CAS_ATTESTATION_COLLATERAL_EXPIRED'],
    ['tdxOutdated', '2026-02-18T10:58:50Z', 'CAS_ATTESTATION_COLLATERAL_NOT_YET_VALID'],
    ['tdxOutdated', '2026-03-20T10:41:16Z', 'CAS_ATTESTATION_COLLATERAL_EXPIRED'],
    ['gotdx', '2023-06-18T08:42:57Z', 'CAS_ATTESTATION_COLLATERAL_NOT_YET_VALID'],
    ['gotdx', '2023-07-08T07:25:00Z', 'CAS_ATTESTATION_COLLATERAL_EXPIRED'],
    // certificates: the SGX PCK leaf is valid from 2023-09-20, the go-tdx-guest one to 2029-09-20
    ['sgx', '2020-01-01T00:00:00Z', 'CAS_ATTESTATION_CERT_NOT_YET_VALID'],
    ['gotdx', '2029-09-20T13:20:32Z', 'CAS_ATTESTATION_CERT_EXPIRED'],
  ];
  for (const [name, at, code] of cases) {
    const vector: IntelVector = v[name];
    const { quote, collateral, verifier } = vector;
    const got = await outcome(verifier.verify({ evidence: quote, collateral, now: new Date(at) }));
    assert.equal(typeof got === 'string' ? got : 'OK', code, `${name} at ${at}`);
  }
});

test('collateral that does not belong to the quote is refused with a specific code', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const cases: [string, () => Promise<unknown>, string][] = [
    [
      'TDX quote with the TCB info of another FMSPC',
      () =>
        v.tdx.verifier.verify({
          evidence: v.tdx.quote,
          collateral: v.tdxOutdated.collateral,
          now: v.tdxOutdated.now,
        }),
      'CAS_ATTESTATION_FMSPC_MISMATCH',
    ],
    [
      'TDX quote with SGX collateral',
      () =>
        v.tdx.verifier.verify({
          evidence: v.tdx.quote,
          collateral: v.automata.collateral,
          now: v.automata.now,
        }),
      'CAS_ATTESTATION_COLLATERAL_MISMATCH',
    ],
    [
      'Processor-CA PCK with a Platform-CA CRL',
      () =>
        v.sgx.verifier.verify({
          evidence: v.sgx.quote,
          collateral: v.automata.collateral,
          now: v.automata.now,
        }),
      'CAS_ATTESTATION_CRL_INVALID',
    ],
  ];
  for (const [name, run, code] of cases) assert.equal(await outcome(run() as never), code, name);
});

test('tampered, swapped or incomplete collateral is refused', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const { quote, collateral: c, now, verifier } = v.sgx;
  const text = Buffer.from(c.tcbInfo).toString('utf8');
  const tampered = (patch: Partial<IntelCollateral>): Promise<unknown> =>
    verifier.verify({ evidence: quote, collateral: { ...c, ...patch }, now });
  const cases: [string, Partial<IntelCollateral>, string][] = [
    [
      'one character of tcb_info',
      { tcbInfo: Buffer.from(text.replace('"pcesvn":13', '"pcesvn":12')) },
      'CAS_ATTESTATION_COLLATERAL_SIGNATURE_INVALID',
    ],
    [
      're-serialised tcb_info',
      { tcbInfo: Buffer.from(JSON.stringify(JSON.parse(text), null, 1)) },
      'CAS_ATTESTATION_COLLATERAL_SIGNATURE_INVALID',
    ],
    [
      'one byte of the qe_identity',
      { qeIdentity: flipped(c.qeIdentity, 20) },
      'CAS_ATTESTATION_COLLATERAL_SIGNATURE_INVALID',
    ],
    [
      'the TCB info signature',
      { tcbInfoSignature: flipped(c.tcbInfoSignature, 5) },
      'CAS_ATTESTATION_COLLATERAL_SIGNATURE_INVALID',
    ],
    [
      'a truncated signature',
      { qeIdentitySignature: c.qeIdentitySignature.subarray(0, 63) },
      'CAS_ATTESTATION_COLLATERAL_SIGNATURE_INVALID',
    ],
    [
      'QE identity given as TCB info',
      { tcbInfo: c.qeIdentity, tcbInfoSignature: c.qeIdentitySignature },
      'CAS_ATTESTATION_COLLATERAL_MISMATCH',
    ],
    [
      'the PCK chain as TCB signer chain',
      { tcbInfoIssuerChain: chainOf(quote) },
      'CAS_ATTESTATION_CHAIN_INVALID',
    ],
    [
      'no certificate in the signer chain',
      { qeIdentityIssuerChain: 'nothing' },
      'CAS_ATTESTATION_COLLATERAL_MALFORMED',
    ],
    ['PCK CRL in place of the root CRL', { rootCaCrl: c.pckCrl }, 'CAS_ATTESTATION_CRL_INVALID'],
    ['root CRL in place of the PCK CRL', { pckCrl: c.rootCaCrl }, 'CAS_ATTESTATION_CRL_INVALID'],
    [
      'a damaged root CRL signature',
      { rootCaCrl: flipped(c.rootCaCrl, c.rootCaCrl.length - 3) },
      'CAS_ATTESTATION_CRL_INVALID',
    ],
    ['a truncated PCK CRL', { pckCrl: c.pckCrl.subarray(0, 100) }, 'CAS_ATTESTATION_CRL_INVALID'],
    [
      'an older tcbEvaluationDataNumber than already seen',
      { minTcbEvaluationDataNumber: 18 },
      'CAS_ATTESTATION_COLLATERAL_STALE',
    ],
    ['no root CRL', { rootCaCrl: undefined as never }, 'CAS_ATTESTATION_COLLATERAL_MISSING'],
  ];
  for (const [name, patch, code] of cases)
    assert.equal(await outcome(tampered(patch) as never), code, name);
  // the remembered number itself is accepted, and the claims say which one was used
  const claims = await verifier.verify({
    evidence: quote,
    collateral: { ...c, minTcbEvaluationDataNumber: 17 },
    now,
  });
  assert.equal(claims.extra['tcb_evaluation_data_number'], 17);
  assert.equal(
    await outcome(verifier.verify({ evidence: quote, collateral: null as never, now })),
    'CAS_ATTESTATION_COLLATERAL_MISSING',
  );
});

test('SEPT_VE_DISABLE is required by default and the requirement can be lifted', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const { quote, collateral, now } = v.gotdx;
  // the go-tdx-guest TD does not set SEPT_VE_DISABLE; its TCB fails first either way, so the
  // policy itself is tested on TD attributes in tdx-attributes.test.ts
  const lenient = makeTdxVerifier({ requireSeptVeDisable: false });
  assert.equal(
    await outcome(lenient.verify({ evidence: quote, collateral, now })),
    'CAS_ATTESTATION_TCB_NO_MATCH',
  );
  const claims = await lenient.verify({
    evidence: v.tdx.quote,
    collateral: v.tdx.collateral,
    now: v.tdx.now,
  });
  assert.equal(claims.extra['sept_ve_disable'], true);
});
