import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQuote } from '../../../../src/attestation/intel/quote.js';
import { CasError } from '../../../../src/errors/cas-error.js';
import { loadIntelVectors, relaidOut } from './intel-vectors.js';

/** The error a verification ends with, with its details. */
async function failure(promise: Promise<unknown>): Promise<CasError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CasError);
    return error;
  }
  assert.fail('verification passed');
}

test('SGX quotes parse as v4 and v5 too: everything up to the attestation-key signature checks out', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const { quote, collateral, now, verifier } = v.sgx;
  const v3 = parseQuote(quote);
  for (const version of [4, 5] as const) {
    const relaid = relaidOut(quote, version);
    const parsed = parseQuote(relaid);
    assert.equal(parsed.version, version);
    assert.equal(parsed.body.kind, 'sgx');
    assert.deepEqual(parsed.qeReport.raw, v3.qeReport.raw);
    assert.equal(parsed.pckChainPem, v3.pckChainPem);
    const error = await failure(verifier.verify({ evidence: relaid, collateral, now }));
    assert.equal(error.code, 'CAS_ATTESTATION_SIGNATURE_INVALID');
    assert.deepEqual(error.details, { signature: 'quote' });
  }
});

test('a TDX v4 quote relaid as v5 with a TD 1.0 body parses the same report', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const { quote, collateral, now, verifier } = v.tdx;
  const relaid = relaidOut(quote, 5);
  const parsed = parseQuote(relaid);
  const original = parseQuote(quote);
  assert.equal(parsed.version, 5);
  assert.deepEqual(parsed.body, original.body);
  const error = await failure(verifier.verify({ evidence: relaid, collateral, now }));
  assert.equal(error.code, 'CAS_ATTESTATION_SIGNATURE_INVALID');
  assert.deepEqual(error.details, { signature: 'quote' });
  // the v5 TD 1.5 vector carries the two extra fields
  const td15 = parseQuote(v.tdxOutdated.quote);
  assert.equal(
    td15.body.kind === 'td' && Buffer.from(td15.body.report.teeTcbSvn2 ?? []).toString('hex'),
    '0d010300000000000000000000000000',
  );
});

test('v5 body descriptors must agree with the TEE type and their size', (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const relaid = Buffer.from(relaidOut(v.tdx.quote, 5));
  const code = (bytes: Uint8Array) => {
    try {
      parseQuote(bytes);
      return 'OK';
    } catch (error) {
      return (error as CasError).code;
    }
  };
  const patch = (at: number, value: number, size: 2 | 4) => {
    const copy = Buffer.from(relaid);
    if (size === 2) copy.writeUInt16LE(value, at);
    else copy.writeUInt32LE(value, at);
    return new Uint8Array(copy);
  };
  assert.equal(
    code(patch(48, 1, 2)),
    'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    'SGX body in a TDX quote',
  );
  assert.equal(
    code(patch(48, 3, 2)),
    'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    'TD 1.5 type with a TD 1.0 size',
  );
  assert.equal(code(patch(48, 9, 2)), 'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED', 'unknown body type');
  assert.equal(code(patch(50, 585, 4)), 'CAS_ATTESTATION_EVIDENCE_MALFORMED', 'wrong body size');
  assert.equal(code(patch(4, 0x82, 4)), 'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED', 'unknown TEE type');
});
