import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseCrl } from '../../../../src/attestation/intel/crl.js';
import { parseCertificate as readCertificate } from '../../../../src/attestation/intel/x509.js';
import { parseCertificate } from '../../../../src/attestation/pki/certificate.js';
import { pssParameters } from '../../../../src/attestation/pki/rsa-pss.js';
import { derBytes, derChildren, readDer } from '../../../../src/encoding/der-reader.js';
import { pinnedDer } from '../../../../src/attestation/roots.js';
import { checkAmdRevocation } from '../../../../src/attestation/snp/amd-crl.js';
import { isCasError } from '../../../../src/errors/cas-error.js';
import { AMD_PSS, issuedBy, testArk, testCrl } from '../../../helpers/amd-crl.js';
import { codeOfSync, flipped } from '../../../helpers/evidence.js';

const NOW = new Date('2025-01-01T00:00:00Z');
const ASK_SERIAL = '0a1b2c';

async function makeSetup() {
  const ark = await testArk();
  const ask = await issuedBy(ark, 'CN=SEV-Milan', ASK_SERIAL, 'ASK');
  const vcek = await issuedBy(ark, 'CN=SEV-VCEK', '77', 'VCEK');
  const check = (crls: Uint8Array[], now = NOW): string =>
    codeOfSync(() => checkAmdRevocation({ crls }, ark.certificate, [ask, vcek], now));
  return { ark, ask, vcek, check };
}

// One CA and chain for every test: generating RSA keys is most of the run time.
let made: ReturnType<typeof makeSetup> | undefined;
const setup = (): ReturnType<typeof makeSetup> => (made ??= makeSetup());

describe('AMD CRL check', () => {
  test('a fresh CRL of the ARK that does not list the chain passes', async () => {
    const { ark, check } = await setup();
    assert.equal(check([await testCrl(ark, { revoked: ['0101'] })]), 'OK');
  });

  test('a revoked ASK is refused with its serial; so is a revoked VCEK', async () => {
    const { ark, ask, vcek } = await setup();
    for (const serial of [ASK_SERIAL, '77']) {
      const crl = await testCrl(ark, { revoked: ['0101', serial] });
      assert.throws(
        () => checkAmdRevocation({ crls: [crl] }, ark.certificate, [ask, vcek], NOW),
        (e: unknown) =>
          isCasError(e) &&
          e.code === 'CAS_ATTESTATION_CERT_REVOKED' &&
          (e.details as { serial: string }).serial === serial,
      );
    }
  });

  test('a revocation in an older CRL still counts when a newer one omits it', async () => {
    const { ark, check } = await setup();
    const old = await testCrl(ark, {
      revoked: [ASK_SERIAL],
      thisUpdate: new Date('2023-07-01T00:00:00Z'),
      nextUpdate: new Date('2024-07-01T00:00:00Z'),
    });
    assert.equal(check([old, await testCrl(ark)]), 'CAS_ATTESTATION_CERT_REVOKED');
  });

  test('the newest CRL decides freshness: an old expired one beside it is fine', async () => {
    const { ark, check } = await setup();
    const expired = await testCrl(ark, {
      thisUpdate: new Date('2022-01-01T00:00:00Z'),
      nextUpdate: new Date('2023-01-01T00:00:00Z'),
    });
    assert.equal(check([expired, await testCrl(ark)]), 'OK');
    assert.equal(check([expired]), 'CAS_ATTESTATION_COLLATERAL_EXPIRED');
    assert.equal(
      check([await testCrl(ark)], new Date('2023-12-31T00:00:00Z')),
      'CAS_ATTESTATION_COLLATERAL_NOT_YET_VALID',
    );
  });

  test('a tampered CRL, or one signed by another key in the ARK name, is refused', async () => {
    const { ark, check } = await setup();
    const crl = await testCrl(ark);
    // the last byte is in the signature, an early one in the issuer name's contents
    assert.equal(check([flipped(crl, crl.length - 1)]), 'CAS_ATTESTATION_CRL_INVALID');
    const other = await testArk();
    assert.equal(
      check([await testCrl(ark, { signingKey: other.keys.privateKey })]),
      'CAS_ATTESTATION_CRL_INVALID',
    );
    // a forged CRL beside a good one is not outvoted
    assert.equal(
      check([crl, await testCrl(ark, { signingKey: other.keys.privateKey })]),
      'CAS_ATTESTATION_CRL_INVALID',
    );
  });

  test('no CRL of this ARK (none, or only other products) is a refusal, not a pass', async () => {
    const { check } = await setup();
    const genoa = await testArk('CN=ARK-Genoa, O=Test', 'ARK-Genoa');
    assert.equal(check([]), 'CAS_ATTESTATION_CRL_INVALID');
    assert.equal(check([await testCrl(genoa)]), 'CAS_ATTESTATION_CRL_INVALID');
  });

  test('only RSA-PSS with SHA-2 is accepted; another SHA-2 PSS profile verifies', async () => {
    const { ark, check } = await setup();
    assert.equal(
      check([await testCrl(ark, { algorithm: { ...AMD_PSS, hash: 'SHA-256', saltLength: 32 } })]),
      'OK',
    );
    // ECDSA in the ARK's name: not RSA-PSS, refused before any key is tried
    const ec = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, [
      'sign',
      'verify',
    ]);
    const ecdsa = await testCrl(ark, {
      signingKey: ec.privateKey,
      algorithm: { name: 'ECDSA', hash: 'SHA-384' },
    });
    assert.equal(check([ecdsa]), 'CAS_ATTESTATION_CRL_INVALID');
    assert.equal(
      check([new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])]),
      'CAS_ATTESTATION_CRL_INVALID',
    );
  });
});

/** An AlgorithmIdentifier for RSASSA-PSS with the given DER parameters (hex). */
const pss = (params: string): Uint8Array => {
  const body = `06092a864886f70d01010a${params}`;
  return Uint8Array.from(
    Buffer.from(`30${(body.length / 2).toString(16).padStart(2, '0')}${body}`, 'hex'),
  );
};
const SHA384 = '300b0609608648016503040202';
const SHA256 = '300b0609608648016503040201';
const MGF1 = (hash: string): string => {
  const inner = `06092a864886f70d010108${hash}`;
  return `30${(inner.length / 2).toString(16)}${inner}`;
};
const tagged = (tag: string, inner: string): string =>
  `${tag}${(inner.length / 2).toString(16).padStart(2, '0')}${inner}`;
const seq = (inner: string): string => tagged('30', inner);

describe('RSASSA-PSS parameters', () => {
  const code = 'CAS_ATTESTATION_CRL_INVALID';

  test("AMD's ASK certificate uses SHA-384 with salt 48", () => {
    const algorithm = signatureAlgorithmOf(pinnedDer('amd-ask-milan'));
    assert.deepEqual(pssParameters(algorithm, code), { hash: 'sha384', saltLength: 48 });
  });

  test('explicit SHA-256 with salt 32 is read; the SHA-1 defaults and mismatches are refused', () => {
    const ok = seq(tagged('a0', SHA256) + tagged('a1', MGF1(SHA256)) + tagged('a2', '020120'));
    assert.deepEqual(pssParameters(pss(ok), code), { hash: 'sha256', saltLength: 32 });
    const refused: Record<string, string> = {
      'the defaults (SHA-1, salt 20)': seq(''),
      'MGF1 over another hash': seq(
        tagged('a0', SHA384) + tagged('a1', MGF1(SHA256)) + tagged('a2', '020130'),
      ),
      'no salt length': seq(tagged('a0', SHA384) + tagged('a1', MGF1(SHA384))),
      'trailer 2': seq(
        tagged('a0', SHA384) +
          tagged('a1', MGF1(SHA384)) +
          tagged('a2', '020130') +
          tagged('a3', '020102'),
      ),
      'an unknown field': seq(
        tagged('a0', SHA384) + tagged('a1', MGF1(SHA384)) + tagged('a4', '020100'),
      ),
    };
    for (const [what, params] of Object.entries(refused)) {
      assert.equal(
        codeOfSync(() => pssParameters(pss(params), code)),
        code,
        what,
      );
    }
    const rsaSha384 = Uint8Array.from(Buffer.from('300d06092a864886f70d01010c0500', 'hex'));
    assert.equal(
      codeOfSync(() => pssParameters(rsaSha384, code)),
      code,
    );
  });

  test('any bytes either parse or fail with the caller code, never another exception', () => {
    const good = pss(
      seq(tagged('a0', SHA384) + tagged('a1', MGF1(SHA384)) + tagged('a2', '020130')),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 80 }),
          fc
            .tuple(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }))
            .map(([at, mask]) => flipped(good, at, mask)),
        ),
        (bytes) => {
          const result = codeOfSync(() => pssParameters(bytes, code));
          assert.ok(result === 'OK' || result === code, result);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('a CRL made by the test CA carries parameters the reader accepts', async () => {
    const ark = await testArk();
    const crl = parseCrl(await testCrl(ark));
    assert.deepEqual(pssParameters(crl.signatureAlgorithmDer, code), {
      hash: 'sha384',
      saltLength: 48,
    });
  });
});

/** The outer signature AlgorithmIdentifier of a DER certificate (its second element). */
function signatureAlgorithmOf(certificate: Uint8Array): Uint8Array {
  const code = 'CAS_ATTESTATION_COLLATERAL_MALFORMED';
  return derBytes(derChildren(readDer(certificate, 0, code), code)[1]!);
}

test('a parsed certificate carries the serial and subject a CRL is compared with', async () => {
  // The same values the Intel reader (which parses the key too) finds, for AMD's own chain.
  for (const id of ['amd-ark-milan', 'amd-ask-genoa', 'amd-asvk-milan'] as const) {
    const der = pinnedDer(id);
    const reference = readCertificate(der, 'CAS_ATTESTATION_COLLATERAL_MALFORMED');
    const parsed = parseCertificate(der, id);
    assert.equal(parsed.serialHex, reference.serialHex, id);
    assert.deepEqual(parsed.subjectDer, reference.subjectDer, id);
  }
  // A serial with its high bit set carries a 0x00 in DER; the CRL side compares without it.
  const ark = await testArk();
  const high = await issuedBy(ark, 'CN=SEV-Milan', 'ff01', 'ASK');
  assert.equal(high.serialHex, 'ff01');
  const crl = await testCrl(ark, { revoked: ['ff01'] });
  assert.equal(
    codeOfSync(() => checkAmdRevocation({ crls: [crl] }, ark.certificate, [high], NOW)),
    'CAS_ATTESTATION_CERT_REVOKED',
  );
});
