import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchQeIdentity, parseQeIdentity } from '../../../../src/attestation/intel/qe-identity.js';
import { parseSgxReport } from '../../../../src/attestation/intel/quote.js';
import { checkTdAttributes } from '../../../../src/attestation/intel/tdx-verifier.js';
import { CasError } from '../../../../src/errors/cas-error.js';

const codeIs = (code: string) => (e: unknown) => e instanceof CasError && e.code === code;

test('the QE must match the QE identity (MRSIGNER, ISVPRODID, masked attributes, MISCSELECT) and a level', () => {
  const identity = parseQeIdentity(
    {
      id: 'QE',
      version: 2,
      issueDate: '2025-01-01T00:00:00Z',
      nextUpdate: '2025-02-01T00:00:00Z',
      tcbEvaluationDataNumber: 17,
      miscselect: '00000000',
      miscselectMask: 'FFFFFFFF',
      attributes: '11000000000000000000000000000000',
      attributesMask: 'FBFFFFFFFFFFFFFF0000000000000000',
      mrsigner: '8C4F5775D796503E96137F77C68A829A0056AC8DED70140B081B094490C57BFF',
      isvprodid: 1,
      tcbLevels: [
        { tcb: { isvsvn: 8 }, tcbDate: '2024-03-13T00:00:00Z', tcbStatus: 'UpToDate' },
        {
          tcb: { isvsvn: 6 },
          tcbDate: '2021-11-10T00:00:00Z',
          tcbStatus: 'OutOfDate',
          advisoryIDs: ['INTEL-SA-00615'],
        },
        { tcb: { isvsvn: 2 }, tcbDate: '2019-01-01T00:00:00Z', tcbStatus: 'Revoked' },
      ],
    },
    'sgx',
  );
  const report = (patch: (b: Buffer) => void) => {
    const b = Buffer.alloc(384);
    b.set(Buffer.from('15', 'hex'), 48); // attributes: INIT|MODE64BIT|PROVISIONKEY (bit 2 is masked out)
    b.set(Buffer.from(identity.mrsigner, 'hex'), 128);
    b.writeUInt16LE(1, 256);
    b.writeUInt16LE(10, 258);
    patch(b);
    return parseSgxReport(new Uint8Array(b));
  };
  assert.equal(
    matchQeIdentity(
      identity,
      report(() => {}),
    ).status,
    'UpToDate',
  );
  assert.equal(
    matchQeIdentity(
      identity,
      report((b) => b.writeUInt16LE(7, 258)),
    ).status,
    'OutOfDate',
  );
  assert.throws(
    () =>
      matchQeIdentity(
        identity,
        report((b) => b.writeUInt16LE(3, 258)),
      ),
    codeIs('CAS_ATTESTATION_TCB_REVOKED'),
  );
  assert.throws(
    () =>
      matchQeIdentity(
        identity,
        report((b) => b.writeUInt16LE(1, 258)),
      ),
    codeIs('CAS_ATTESTATION_TCB_NO_MATCH'),
  );
  const mismatches: [string, (b: Buffer) => void][] = [
    ['mrsigner', (b) => (b[130] = 0)],
    ['isvprodid', (b) => b.writeUInt16LE(2, 256)],
    ['attributes (debug bit)', (b) => (b[48] = 0x13)],
    ['miscselect', (b) => b.writeUInt32LE(1, 16)],
  ];
  for (const [name, patch] of mismatches) {
    assert.throws(
      () => matchQeIdentity(identity, report(patch)),
      codeIs('CAS_ATTESTATION_QE_IDENTITY_MISMATCH'),
      name,
    );
  }
  assert.throws(
    () => parseQeIdentity({ ...identity, id: 'TD_QE' }, 'sgx'),
    codeIs('CAS_ATTESTATION_COLLATERAL_MISMATCH'),
  );
  assert.throws(
    () => parseQeIdentity({ ...identity, id: 'QE' }, 'tdx'),
    codeIs('CAS_ATTESTATION_COLLATERAL_MISMATCH'),
  );
});

test('TD attributes: debug refused unless allowed, SEPT_VE_DISABLE required unless lifted', () => {
  const attrs = (b0: number, b3: number) => new Uint8Array([b0, 0, 0, b3, 0, 0, 0, 0]);
  const strict = { allowDebug: false, requireSeptVeDisable: true };
  assert.deepEqual(checkTdAttributes(attrs(0, 0x10), strict), {
    debug: false,
    septVeDisable: true,
  });
  assert.throws(
    () => checkTdAttributes(attrs(0, 0x40), strict),
    codeIs('CAS_ATTESTATION_SEPT_VE_NOT_DISABLED'),
  );
  assert.deepEqual(checkTdAttributes(attrs(0, 0x40), { ...strict, requireSeptVeDisable: false }), {
    debug: false,
    septVeDisable: false,
  });
  assert.throws(
    () => checkTdAttributes(attrs(1, 0x10), strict),
    codeIs('CAS_ATTESTATION_DEBUG_REFUSED'),
  );
  assert.deepEqual(checkTdAttributes(attrs(1, 0x10), { ...strict, allowDebug: true }), {
    debug: true,
    septVeDisable: true,
  });
});
