import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { decode, encode, Tagged } from 'cborg';
import fc from 'fast-check';
import { nitroVerifier } from '../../../../src/attestation/nitro/nitro-verifier.js';
import { verifierFor } from '../../../../src/attestation/registry.js';
import type { Claims, VerifyRequest } from '../../../../src/attestation/verifier.js';
import type { NitroCollateral } from '../../../../src/attestation/nitro/nitro-verifier.js';
import { requireShared } from '../../../helpers/shared.js';
import { codeOf, flipped } from '../../../helpers/evidence.js';

interface Vector {
  readonly doc: Uint8Array;
  readonly now: Date;
}

function load(t: TestContext) {
  const dir = requireShared(t, 'testvectors', 'nitro');
  if (dir === null) return null;
  const b64 = (file: string): Uint8Array =>
    new Uint8Array(Buffer.from(readFileSync(join(dir, file), 'utf8'), 'base64'));
  return {
    dir,
    blocky: { doc: b64('blocky_nitro_attestation.b64'), now: new Date(1725719859545) },
    debug: { doc: b64('blocky_nitro_attestation_debug.b64'), now: new Date(1725719886508) },
    evervault: {
      doc: b64('evervault_ga_attestation_doc.b64'),
      now: new Date('2023-09-18T15:03:30.860Z'),
    },
  } satisfies Record<string, Vector | string>;
}

function verify(
  vector: Vector,
  changes: Partial<Omit<VerifyRequest<NitroCollateral>, 'collateral'>> = {},
): Promise<Claims> {
  return nitroVerifier.verify({
    evidence: changes.evidence ?? vector.doc,
    collateral: undefined,
    now: changes.now ?? vector.now,
    ...(changes.allowDebug === undefined ? {} : { allowDebug: changes.allowDebug }),
    ...(changes.expectedReportData === undefined
      ? {}
      : { expectedReportData: changes.expectedReportData }),
  });
}

const encoder = { encode: (value: unknown): Uint8Array => encode(value) };
/** Decodes CBOR with Map objects, unwrapping a COSE_Sign1 tag 18 when present. */
function cborDecode(bytes: Uint8Array): unknown {
  const value: unknown = decode(bytes, { useMaps: true, tags: { 18: Tagged.decoder(18) } });
  return value instanceof Tagged ? value.value : value;
}
/** Re-encodes a COSE array with one element replaced (the signature no longer matters). */
function recoded(items: unknown[]): Uint8Array {
  return new Uint8Array(encoder.encode(items));
}

test('blocky non-debug document verifies at its timestamp with the asserted PCRs', async (t) => {
  const v = load(t);
  if (v === null) return;
  const claims = await verify(v.blocky);
  assert.equal(claims.type, 'nitro');
  assert.equal(claims.debug, false);
  assert.equal(claims.tcb_status, 'NotApplicable');
  assert.equal(claims.extra['module_id'], 'i-0a22e5c5f24d22174-enc0191cceb4289903f');
  assert.equal(claims.extra['timestamp'], 1725719859545);
  assert.equal(claims.extra['digest'], 'SHA384');
  assert.equal(
    claims.measurements['pcr0'],
    'e72a46ca80a260fb044a125442f0c7e331813bcbaf9724d9f3857758992766f2d65710a27aa94ae3949dd54e7c9fe86a',
  );
  assert.equal(
    claims.measurements['pcr1'],
    '0343b056cd8485ca7890ddd833476d78460aed2aa161548e4e26bedf321726696257d623e8805f3f605946b3d8b0c6aa',
  );
  assert.equal(
    claims.measurements['pcr2'],
    'd5dcbdea0aa39c802f9d55ced2ea6e4d74ecec5f08fe40c508882639c9090642669106a062a3e24ee2805a3024b9b75c',
  );
  assert.equal(claims.measurements['pcr3'], '00'.repeat(48));
  assert.equal(
    claims.measurements['pcr4'],
    '45706d7b621e4620a332e147a5ddb000b049f73d47d3e61f6b03d2069152d4df6a4a786ad1c10102b955799a9dc96b44',
  );
  assert.equal(claims.measurements['pcr8'], '00'.repeat(48));
  assert.equal(Object.keys(claims.measurements).length, 16);
  assert.equal(claims.extra['user_data'], '01'.repeat(1024));
  assert.equal(claims.extra['nonce'], '01'.repeat(1024));
  assert.equal(claims.extra['public_key'], '01'.repeat(1024));
  assert.equal(claims.report_data, '01'.repeat(1024));
  assert.equal(verifierFor('nitro').type, 'nitro');
});

test('blocky debug document: refused unless debug is allowed, then claims say debug', async (t) => {
  const v = load(t);
  if (v === null) return;
  assert.equal(await codeOf(verify(v.debug)), 'CAS_ATTESTATION_DEBUG_REFUSED');
  const claims = await verify(v.debug, { allowDebug: true });
  assert.equal(claims.debug, true);
  assert.equal(claims.extra['module_id'], 'i-0a22e5c5f24d22174-enc0191ccebaf8feaba');
  assert.equal(claims.measurements['pcr0'], '00'.repeat(48));
});

test('evervault document: user_data is the SPKI of the TLS certificate key (debug-mode PCRs)', async (t) => {
  const v = load(t);
  if (v === null) return;
  assert.equal(await codeOf(verify(v.evervault)), 'CAS_ATTESTATION_DEBUG_REFUSED');
  const claims = await verify(v.evervault, { allowDebug: true });
  const spki = new X509Certificate(
    readFileSync(join(v.dir, 'evervault_ga_tls_certificate.der')),
  ).publicKey.export({
    type: 'spki',
    format: 'der',
  });
  assert.equal(claims.extra['user_data'], spki.toString('hex'));
  assert.equal(claims.extra['module_id'], 'i-0918f6c55e3b61d89-enc018aa8b8e2285d13');
  assert.equal(claims.measurements['pcr8'], '00'.repeat(48));
});

test('Nitro negative derivations fail with specific codes', async (t) => {
  const v = load(t);
  if (v === null) return;
  const doc = v.blocky.doc;
  const [protectedHeader, unprotected, payload, signature] = cborDecode(doc) as [
    Uint8Array,
    unknown,
    Uint8Array,
    Uint8Array,
  ];
  const sgxRoot = readFileSync(join(v.dir, '..', 'sgx', 'Intel_SGX_RootCA.der'));
  const payloadMap = cborDecode(payload) as Map<string, unknown>;
  const withPayload = (change: (map: Map<string, unknown>) => void): Uint8Array => {
    const map = new Map(payloadMap);
    change(map);
    return recoded([protectedHeader, unprotected, encoder.encode(map), signature]);
  };
  const cabundle = payloadMap.get('cabundle') as Uint8Array[];
  const binding = new Uint8Array(64).fill(1);
  const cases: [string, Partial<VerifyRequest<NitroCollateral>>, string][] = [
    ['byte 24 (module_id)', { evidence: flipped(doc, 24) }, 'CAS_ATTESTATION_SIGNATURE_INVALID'],
    ['byte 104 (PCR0)', { evidence: flipped(doc, 104) }, 'CAS_ATTESTATION_SIGNATURE_INVALID'],
    [
      'last byte (signature)',
      { evidence: flipped(doc, doc.length - 1) },
      'CAS_ATTESTATION_SIGNATURE_INVALID',
    ],
    [
      'one second after the leaf notAfter',
      { now: new Date('2024-09-07T17:37:40Z') },
      'CAS_ATTESTATION_CERT_EXPIRED',
    ],
    [
      'one second before the leaf notBefore',
      { now: new Date('2024-09-07T14:37:35Z') },
      'CAS_ATTESTATION_CERT_NOT_YET_VALID',
    ],
    ['at the leaf notAfter', { now: new Date('2024-09-07T17:37:39Z') }, 'OK'],
    [
      'root replaced by the Intel SGX root',
      { evidence: withPayload((m) => m.set('cabundle', [sgxRoot, ...cabundle.slice(1)])) },
      'CAS_ATTESTATION_ROOT_UNTRUSTED',
    ],
    [
      'root dropped from the bundle',
      { evidence: withPayload((m) => m.set('cabundle', cabundle.slice(1))) },
      'CAS_ATTESTATION_ROOT_UNTRUSTED',
    ],
    [
      'intermediate dropped',
      { evidence: withPayload((m) => m.set('cabundle', [cabundle[0], ...cabundle.slice(2)])) },
      'CAS_ATTESTATION_CHAIN_INVALID',
    ],
    [
      'digest SHA256',
      { evidence: withPayload((m) => m.set('digest', 'SHA256')) },
      'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
    ],
    [
      'PCR of 32 bytes',
      { evidence: withPayload((m) => m.set('pcrs', new Map([[0, new Uint8Array(32)]]))) },
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    ],
    [
      'no module_id',
      { evidence: withPayload((m) => m.delete('module_id')) },
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    ],
    [
      'payload edited, signature kept',
      { evidence: withPayload((m) => m.set('user_data', binding)) },
      'CAS_ATTESTATION_SIGNATURE_INVALID',
    ],
    [
      'ES256 header',
      { evidence: recoded([encoder.encode(new Map([[1, -7]])), unprotected, payload, signature]) },
      'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
    ],
    [
      'three-item array',
      { evidence: recoded([protectedHeader, unprotected, payload]) },
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    ],
    ['tagged 18 is accepted', { evidence: Uint8Array.of(0xd2, ...doc) }, 'OK'],
    ['other tag', { evidence: Uint8Array.of(0xd1, ...doc) }, 'CAS_ATTESTATION_EVIDENCE_MALFORMED'],
    ['trailing byte', { evidence: Uint8Array.of(...doc, 0) }, 'CAS_ATTESTATION_EVIDENCE_MALFORMED'],
    [
      'truncated',
      { evidence: doc.subarray(0, doc.length - 10) },
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    ],
    ['empty', { evidence: new Uint8Array(0) }, 'CAS_ATTESTATION_EVIDENCE_MALFORMED'],
    [
      'random bytes',
      { evidence: Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff) },
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
    ],
    [
      'expected binding differs (1024-byte user_data)',
      { expectedReportData: binding },
      'CAS_ATTESTATION_REPORT_DATA_MISMATCH',
    ],
  ];
  for (const [name, changes, expected] of cases) {
    assert.equal(await codeOf(verify(v.blocky, changes)), expected, name);
  }
});

test('fast-check: truncations and mutations of every Nitro vector never crash and always give a CasError', async (t) => {
  const v = load(t);
  if (v === null) return;
  for (const vector of [v.blocky, v.debug, v.evervault]) {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: vector.doc.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        async (offset, mask, truncate) => {
          const evidence = truncate
            ? vector.doc.subarray(0, offset)
            : flipped(vector.doc, offset, mask);
          const code = await codeOf(verify(vector, { evidence, allowDebug: true }));
          // Every byte is signed or structural: any change must fail, with a coded error.
          assert.notEqual(code, 'OK');
        },
      ),
      { numRuns: 200 },
    );
  }
});

test('fast-check: random bytes and random CBOR are refused with a coded error', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ maxLength: 600 }),
        fc.anything().map((value) => {
          try {
            return new Uint8Array(encoder.encode(value));
          } catch {
            return new Uint8Array(0);
          }
        }),
      ),
      async (evidence) => {
        const code = await codeOf(
          nitroVerifier.verify({ evidence, collateral: undefined, now: new Date(0) }),
        );
        assert.notEqual(code, 'OK');
      },
    ),
    { numRuns: 300 },
  );
});
