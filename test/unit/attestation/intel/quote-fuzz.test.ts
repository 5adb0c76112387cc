import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseQuote } from '../../../../src/attestation/intel/quote.js';
import { sgxDcapVerifier } from '../../../../src/attestation/intel/sgx-verifier.js';
import { tdxVerifier } from '../../../../src/attestation/intel/tdx-verifier.js';
import { CasError } from '../../../../src/errors/cas-error.js';
import { loadIntelVectors, outcome, type IntelVectorName } from './intel-vectors.js';
import type { IntelVector } from './intel-vectors.js';

const names: IntelVectorName[] = ['sgx', 'automata', 'sgxDebug', 'tdx', 'tdxOutdated', 'gotdx'];

test('every truncation of every Intel vector is refused with a CasError', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  for (const name of names) {
    const vector: IntelVector = v[name];
    const { quote, collateral, now, verifier } = vector;
    // every prefix that cuts into the signed data or the certification data
    const cut = name.startsWith('tdx') || name === 'gotdx' ? parseQuoteEnd(quote) : quote.length;
    for (let length = 0; length < cut; length += length < 1300 ? 7 : 97) {
      const got = await outcome(
        verifier.verify({ evidence: quote.subarray(0, length), collateral, now }),
      );
      assert.equal(typeof got, 'string', `${name} truncated to ${length}`);
    }
  }
});

/** Where the signature data of a quote ends (TDX quotes may carry unsigned padding after it). */
function parseQuoteEnd(quote: Uint8Array): number {
  const b = Buffer.from(quote);
  const bodyEnd =
    b.readUInt16LE(0) === 5 ? 54 + b.readUInt32LE(50) : b.readUInt32LE(4) === 0x81 ? 632 : 432;
  return bodyEnd + 4 + b.readUInt32LE(bodyEnd);
}

test('random mutations of every Intel vector never crash the verifier', async (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...names),
      fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }),
      async (name, edits) => {
        const vector: IntelVector = v[name];
        const { quote, collateral, now, verifier } = vector;
        const bytes = new Uint8Array(quote);
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        const got = await outcome(verifier.verify({ evidence: bytes, collateral, now }));
        // a mutation may land in unsigned padding or PEM line breaks and change nothing
        if (typeof got !== 'string')
          assert.equal(
            got.type,
            name.startsWith('sgx') || name === 'automata' ? 'sgx-dcap' : 'tdx',
          );
      },
    ),
    { numRuns: 150 },
  );
});

test('random bytes are refused as malformed or unsupported quotes', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), fc.boolean(), async (bytes, sgx) => {
      const verifier = sgx ? sgxDcapVerifier : tdxVerifier;
      const got = await outcome(
        verifier.verify({ evidence: bytes, collateral: {} as never, now: new Date(0) }),
      );
      assert.ok(
        ['CAS_ATTESTATION_EVIDENCE_MALFORMED', 'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED'].includes(
          got as string,
        ),
        JSON.stringify(got),
      );
    }),
    { numRuns: 300 },
  );
  assert.throws(
    () => parseQuote(new Uint8Array(0)),
    (e) => e instanceof CasError && e.code === 'CAS_ATTESTATION_EVIDENCE_MALFORMED',
  );
});
