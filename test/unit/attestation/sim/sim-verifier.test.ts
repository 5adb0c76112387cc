import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { verifierFor } from '../../../../src/attestation/registry.js';
import { encodeSimReportBody, signSimReport } from '../../../../src/attestation/sim/sim-report.js';
import { simVerifier } from '../../../../src/attestation/sim/sim-verifier.js';
import { keyHashOfKey } from '../../../../src/crypto/key-hash.js';
import { isCasError } from '../../../../src/errors/cas-error.js';

const now = new Date('2026-01-01T00:00:00Z');
const measurement = 'ab'.repeat(32);

function rejectsWith(code: string) {
  return (error: unknown) => isCasError(error) && error.code === code;
}

for (const kind of ['ed25519', 'p-256'] as const) {
  const { privateKey, publicKey } =
    kind === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });

  test(`a ${kind} report verifies and yields the measurement, platform id and binding`, async () => {
    const reportData = randomBytes(64);
    const evidence = signSimReport(
      { measurement: measurement.toUpperCase(), reportData },
      privateKey,
    );
    const claims = await simVerifier.verify({
      evidence,
      collateral: undefined,
      now,
      expectedReportData: reportData,
    });
    assert.equal(claims.type, 'sim');
    assert.deepEqual(claims.measurements, { mrenclave: measurement });
    assert.equal(claims.report_data, reportData.toString('hex'));
    assert.equal(claims.tcb_status, 'NotApplicable');
    assert.equal(claims.debug, false);
    assert.deepEqual(claims.advisory_ids, []);
    assert.equal(claims.extra['platform_id'], keyHashOfKey(publicKey));
  });
}

const { privateKey } = generateKeyPairSync('ed25519');

function envelopeOf(evidence: Uint8Array): { body: string; signature: string } {
  return JSON.parse(Buffer.from(evidence).toString('utf8')) as { body: string; signature: string };
}

function bodyOf(evidence: Uint8Array): Record<string, unknown> {
  return JSON.parse(Buffer.from(envelopeOf(evidence).body, 'base64').toString('utf8')) as Record<
    string,
    unknown
  >;
}

function reenvelope(evidence: Uint8Array, body: Record<string, unknown>): Uint8Array {
  const env = envelopeOf(evidence);
  const bytes = Buffer.from(JSON.stringify(body)).toString('base64');
  return Buffer.from(JSON.stringify({ body: bytes, signature: env.signature }));
}

test('report data bound to another connection is refused', async () => {
  const evidence = signSimReport({ measurement, reportData: randomBytes(64) }, privateKey);
  await assert.rejects(
    simVerifier.verify({
      evidence,
      collateral: undefined,
      now,
      expectedReportData: randomBytes(64),
    }),
    rejectsWith('CAS_ATTESTATION_REPORT_DATA_MISMATCH'),
  );
});

test('a changed measurement breaks the signature', async () => {
  const evidence = signSimReport({ measurement, reportData: randomBytes(64) }, privateKey);
  const forged = reenvelope(evidence, { ...bodyOf(evidence), measurement: 'cd'.repeat(32) });
  await assert.rejects(
    simVerifier.verify({ evidence: forged, collateral: undefined, now }),
    rejectsWith('CAS_ATTESTATION_SIGNATURE_INVALID'),
  );
});

test('a report re-signed by another key names another platform id', async () => {
  const other = generateKeyPairSync('ed25519');
  const reportData = randomBytes(64);
  const a = await simVerifier.verify({
    evidence: signSimReport({ measurement, reportData }, privateKey),
    collateral: undefined,
    now,
  });
  const b = await simVerifier.verify({
    evidence: signSimReport({ measurement, reportData }, other.privateKey),
    collateral: undefined,
    now,
  });
  assert.notEqual(a.extra['platform_id'], b.extra['platform_id']);
});

test('malformed evidence is refused with a coded reason', async () => {
  const good = signSimReport({ measurement, reportData: randomBytes(64) }, privateKey);
  const body = bodyOf(good);
  const cases: Array<[string, Uint8Array]> = [
    ['not JSON', Buffer.from('nope')],
    ['not an object', Buffer.from('[1]')],
    ['extra envelope key', Buffer.from(JSON.stringify({ ...envelopeOf(good), x: 1 }))],
    ['body not base64', Buffer.from(JSON.stringify({ body: '***', signature: 'AA==' }))],
    ['extra body key', reenvelope(good, { ...body, extra: 1 })],
    ['debug true', reenvelope(good, { ...body, debug: true })],
    ['version 2', reenvelope(good, { ...body, version: 2 })],
    ['short measurement', reenvelope(good, { ...body, measurement: 'ab' })],
    ['uppercase report data', reenvelope(good, { ...body, report_data: 'AB'.repeat(64) })],
    ['non-canonical key order', reenvelope(good, { debug: false, ...body })],
    ['oversized', Buffer.alloc(20_000, 0x20)],
  ];
  for (const [name, evidence] of cases) {
    await assert.rejects(
      simVerifier.verify({ evidence, collateral: undefined, now }),
      rejectsWith('CAS_ATTESTATION_EVIDENCE_MALFORMED'),
      name,
    );
  }
});

test('signing refuses bad input and keys of other types', () => {
  assert.throws(
    () => signSimReport({ measurement: 'xyz', reportData: randomBytes(64) }, privateKey),
    rejectsWith('CAS_ATTESTATION_EVIDENCE_MALFORMED'),
  );
  assert.throws(
    () => signSimReport({ measurement, reportData: randomBytes(32) }, privateKey),
    rejectsWith('CAS_ATTESTATION_EVIDENCE_MALFORMED'),
  );
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  assert.throws(
    () => signSimReport({ measurement, reportData: randomBytes(64) }, rsa.privateKey),
    rejectsWith('CAS_ATTESTATION_EVIDENCE_UNSUPPORTED'),
  );
});

test('the body encoding has a fixed key order', () => {
  const bytes = encodeSimReportBody({
    type: 'sim',
    version: 1,
    platform_key: 'AA==',
    measurement,
    report_data: '00'.repeat(64),
    debug: false,
  });
  assert.match(bytes.toString(), /^\{"type":"sim","version":1,"platform_key":"AA==","measurement"/);
});

test('the registry serves sim and refuses unknown types', () => {
  assert.equal(verifierFor('sim').type, 'sim');
  for (const type of ['nope', '__proto__', 'constructor']) {
    assert.throws(() => verifierFor(type), rejectsWith('CAS_ATTESTATION_EVIDENCE_UNSUPPORTED'));
  }
});

test('with both platform keys already seen, a report claiming the other platform is refused', async () => {
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const reportData = randomBytes(64);
  const mine = signSimReport({ measurement, reportData }, privateKey);
  const theirs = signSimReport({ measurement, reportData }, other.privateKey);
  for (const evidence of [mine, theirs, mine]) {
    await simVerifier.verify({ evidence, collateral: undefined, now });
  }
  const claimed = reenvelope(mine, {
    ...bodyOf(mine),
    platform_key: bodyOf(theirs)['platform_key'],
  });
  await assert.rejects(
    simVerifier.verify({ evidence: claimed, collateral: undefined, now }),
    rejectsWith('CAS_ATTESTATION_SIGNATURE_INVALID'),
  );
});
