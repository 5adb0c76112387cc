import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { isPinned, pinnedDer } from '../../../../src/attestation/roots.js';
import { parseSnpReport } from '../../../../src/attestation/snp/snp-report.js';
import { snpVerifier } from '../../../../src/attestation/snp/snp-verifier.js';
import { codeOf, codeOfSync, flipped } from '../../../helpers/evidence.js';

const AMD_AND_AWS = [
  ['amd-ark-milan', 'ARK-Milan', 'ARK-Milan'],
  ['amd-ask-milan', 'SEV-Milan', 'ARK-Milan'],
  ['amd-asvk-milan', 'SEV-VLEK-Milan', 'ARK-Milan'],
  ['amd-ark-genoa', 'ARK-Genoa', 'ARK-Genoa'],
  ['amd-ask-genoa', 'SEV-Genoa', 'ARK-Genoa'],
  ['amd-ark-turin', 'ARK-Turin', 'ARK-Turin'],
  ['amd-ask-turin', 'SEV-Turin', 'ARK-Turin'],
  ['aws-nitro-root-g1', 'aws.nitro-enclaves', 'aws.nitro-enclaves'],
] as const;

const cn = (name: string): string =>
  name
    .split('\n')
    .find((line) => line.startsWith('CN='))!
    .slice(3);

test('the built-in AMD and AWS certificates are the pinned ones, and each intermediate is signed by its ARK', () => {
  for (const [id, subject, issuer] of AMD_AND_AWS) {
    const der = pinnedDer(id);
    const certificate = new X509Certificate(der);
    assert.equal(cn(certificate.subject), subject, id);
    assert.equal(cn(certificate.issuer), issuer, id);
    assert.ok(isPinned(id, der));
    assert.equal(isPinned(id, flipped(der, 100)), false);
    const root = AMD_AND_AWS.find(([, s]) => s === issuer)!;
    assert.ok(certificate.verify(new X509Certificate(pinnedDer(root[0])).publicKey), id);
  }
});

test('fast-check: any bytes of report size or not are refused with a coded error, never a crash', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ minLength: 1184, maxLength: 1184 }),
        fc.uint8Array({ maxLength: 2048 }),
      ),
      async (bytes) => {
        // Parsing alone may succeed on random bytes of the right size; it must never crash.
        codeOfSync(() => parseSnpReport(bytes));
        const code = await codeOf(
          snpVerifier.verify({
            evidence: bytes,
            collateral: {},
            now: new Date(0),
            allowDebug: true,
          }),
        );
        assert.notEqual(code, 'OK');
      },
    ),
    { numRuns: 300 },
  );
});
