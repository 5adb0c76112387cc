import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TdReport } from '../../../../src/attestation/intel/quote.js';
import {
  matchPlatformLevel,
  matchTdLevels,
  matchTdxModule,
  parseTcbInfo,
} from '../../../../src/attestation/intel/tcb-info.js';
import { unionAdvisories, worstStatus } from '../../../../src/attestation/intel/tcb-status.js';
import { CasError } from '../../../../src/errors/cas-error.js';

const codeIs = (code: string) => (e: unknown) => e instanceof CasError && e.code === code;
const comps = (...svns: number[]) => Array.from({ length: 16 }, (_, i) => ({ svn: svns[i] ?? 0 }));
const level = (
  sgx: number[],
  pcesvn: number,
  tcbStatus: string,
  advisoryIDs?: string[],
  tdx?: number[],
) => ({
  tcb: {
    sgxtcbcomponents: comps(...sgx),
    pcesvn,
    ...(tdx ? { tdxtcbcomponents: comps(...tdx) } : {}),
  },
  tcbDate: '2024-03-13T00:00:00Z',
  tcbStatus,
  ...(advisoryIDs ? { advisoryIDs } : {}),
});
const zeros48 = '00'.repeat(48);
const info = (id: 'SGX' | 'TDX', levels: unknown[], extra: Record<string, unknown> = {}) =>
  parseTcbInfo(
    {
      id,
      version: 3,
      issueDate: '2025-01-01T00:00:00Z',
      nextUpdate: '2025-02-01T00:00:00Z',
      fmspc: '00A067110000',
      pceId: '0000',
      tcbType: 0,
      tcbEvaluationDataNumber: 17,
      tcbLevels: levels,
      ...extra,
    },
    id === 'SGX' ? 'sgx' : 'tdx',
  );

test('the status is the worst of the parts; OutOfDate with a configuration need converges', () => {
  const cases: [Parameters<typeof worstStatus>[0], string][] = [
    [['UpToDate', 'UpToDate'], 'UpToDate'],
    [['SWHardeningNeeded', 'UpToDate'], 'SWHardeningNeeded'],
    [['ConfigurationAndSWHardeningNeeded', 'UpToDate'], 'ConfigurationAndSWHardeningNeeded'],
    [['UpToDate', 'OutOfDate'], 'OutOfDate'],
    [['ConfigurationNeeded', 'OutOfDate'], 'OutOfDateConfigurationNeeded'],
    [['SWHardeningNeeded', 'OutOfDate', 'UpToDate'], 'OutOfDate'],
    [['OutOfDateConfigurationNeeded', 'UpToDate'], 'OutOfDateConfigurationNeeded'],
  ];
  for (const [parts, want] of cases) assert.equal(worstStatus(parts), want, parts.join('+'));
  assert.deepEqual(unionAdvisories([['A', 'B'], undefined, ['B', 'C']]), ['A', 'B', 'C']);
});

test('the first TCB level whose every component is at most the platform is chosen', () => {
  const tcb = info('SGX', [
    level([11, 11, 2], 13, 'UpToDate'),
    level([10, 10, 2], 13, 'SWHardeningNeeded', ['INTEL-SA-1']),
    level([5, 5], 5, 'OutOfDate', ['INTEL-SA-2']),
    level([0], 0, 'Revoked', ['INTEL-SA-3']),
  ]);
  const at = (sgx: number[], pceSvn: number) =>
    matchPlatformLevel(tcb, { sgxTcbComponents: comps(...sgx).map((c) => c.svn), pceSvn });
  assert.equal(at([11, 11, 2], 13).status, 'UpToDate');
  assert.equal(at([12, 11, 9], 14).status, 'UpToDate');
  assert.equal(at([11, 10, 2], 13).status, 'SWHardeningNeeded');
  assert.deepEqual(at([11, 10, 2], 13).advisoryIds, ['INTEL-SA-1']);
  assert.equal(at([11, 11, 2], 12).status, 'OutOfDate', 'a lower PCESVN drops a level');
  assert.throws(() => at([4, 4], 4), codeIs('CAS_ATTESTATION_TCB_REVOKED'));
  const noFloor = info('SGX', [level([11], 13, 'UpToDate')]);
  assert.throws(
    () =>
      matchPlatformLevel(noFloor, { sgxTcbComponents: comps(10).map((c) => c.svn), pceSvn: 13 }),
    codeIs('CAS_ATTESTATION_TCB_NO_MATCH'),
  );
});

test('TDX levels compare TEE_TCB_SVN, skipping the module bytes when a module identity judges them', () => {
  const module = {
    mrsigner: zeros48,
    attributes: '0000000000000000',
    attributesMask: 'FFFFFFFFFFFFFFFF',
  };
  const tcb = info(
    'TDX',
    [
      level([2], 11, 'UpToDate', undefined, [5, 0, 2]),
      level([2], 5, 'OutOfDate', ['SA-X'], [3, 0, 0]),
    ],
    {
      tdxModule: module,
      tdxModuleIdentities: [
        {
          id: 'TDX_01',
          ...module,
          tcbLevels: [
            { tcb: { isvsvn: 4 }, tcbDate: '2024-03-13T00:00:00Z', tcbStatus: 'UpToDate' },
            {
              tcb: { isvsvn: 2 },
              tcbDate: '2023-08-09T00:00:00Z',
              tcbStatus: 'OutOfDate',
              advisoryIDs: ['SA-M'],
            },
          ],
        },
      ],
    },
  );
  const sgx = comps(2).map((c) => c.svn);
  const svn = (...b: number[]) =>
    new Uint8Array([...b, ...new Array<number>(16 - b.length).fill(0)]);
  // module version 1: bytes 0-1 are judged by TDX_01, so an SVN of 4 < 5 still matches level 1
  assert.equal(
    matchPlatformLevel(tcb, { sgxTcbComponents: sgx, pceSvn: 11, teeTcbSvn: svn(4, 1, 2) }).status,
    'UpToDate',
  );
  assert.equal(
    matchPlatformLevel(tcb, { sgxTcbComponents: sgx, pceSvn: 11, teeTcbSvn: svn(4, 1, 1) }).status,
    'OutOfDate',
  );
  // module version 0: every byte counts
  assert.equal(
    matchPlatformLevel(tcb, { sgxTcbComponents: sgx, pceSvn: 11, teeTcbSvn: svn(4, 0, 2) }).status,
    'OutOfDate',
  );
  const mrsigner = new Uint8Array(48);
  const attrs = new Uint8Array(8);
  assert.equal(matchTdxModule(tcb, svn(6, 1), mrsigner, attrs).level?.status, 'UpToDate');
  assert.equal(matchTdxModule(tcb, svn(3, 1), mrsigner, attrs).level?.status, 'OutOfDate');
  assert.equal(matchTdxModule(tcb, svn(3, 1), mrsigner, attrs).id, 'TDX_01');
  assert.equal(matchTdxModule(tcb, svn(3, 0), mrsigner, attrs).level, null);
  assert.throws(
    () => matchTdxModule(tcb, svn(1, 1), mrsigner, attrs),
    codeIs('CAS_ATTESTATION_TCB_NO_MATCH'),
  );
  assert.throws(
    () => matchTdxModule(tcb, svn(9, 3), mrsigner, attrs),
    codeIs('CAS_ATTESTATION_TCB_NO_MATCH'),
  );
  const otherSigner = new Uint8Array(48).fill(1);
  assert.throws(
    () => matchTdxModule(tcb, svn(3, 0), otherSigner, attrs),
    codeIs('CAS_ATTESTATION_TDX_MODULE_MISMATCH'),
  );
  assert.throws(
    () => matchTdxModule(tcb, svn(6, 1), otherSigner, attrs),
    codeIs('CAS_ATTESTATION_TDX_MODULE_MISMATCH'),
  );
  assert.throws(
    () => matchTdxModule(tcb, svn(6, 1), mrsigner, new Uint8Array(8).fill(2)),
    codeIs('CAS_ATTESTATION_TDX_MODULE_MISMATCH'),
  );
});

test('TCB info of the wrong kind or version is a mismatch; missing fields are malformed', () => {
  assert.throws(
    () => parseTcbInfo({ id: 'TDX', version: 3 }, 'sgx'),
    codeIs('CAS_ATTESTATION_COLLATERAL_MISMATCH'),
  );
  assert.throws(
    () => parseTcbInfo({ version: 2, fmspc: '00' }, 'tdx'),
    codeIs('CAS_ATTESTATION_COLLATERAL_MISMATCH'),
  );
  assert.throws(
    () => parseTcbInfo({ version: 2, fmspc: '00' }, 'sgx'),
    codeIs('CAS_ATTESTATION_COLLATERAL_MALFORMED'),
  );
  assert.throws(
    () => parseTcbInfo({ id: 'SGX', version: 3 }, 'sgx'),
    codeIs('CAS_ATTESTATION_COLLATERAL_MALFORMED'),
  );
  assert.throws(
    () => info('SGX', [level([1], 1, 'Sideways')]),
    codeIs('CAS_ATTESTATION_COLLATERAL_MALFORMED'),
  );
  assert.throws(
    () => parseTcbInfo('not an object', 'sgx'),
    codeIs('CAS_ATTESTATION_COLLATERAL_MALFORMED'),
  );
});

test('SGX TCB info version 2 matches like its version 3 form', () => {
  const v3 = info('SGX', [
    level([11, 11, 2], 13, 'UpToDate'),
    level([10, 10, 2], 13, 'SWHardeningNeeded', ['INTEL-SA-1']),
  ]);
  const v2 = parseTcbInfo(
    {
      version: 2,
      issueDate: v3.issueDate,
      nextUpdate: v3.nextUpdate,
      fmspc: v3.fmspc,
      pceId: v3.pceId,
      tcbType: 0,
      tcbEvaluationDataNumber: 9,
      tcbLevels: v3.tcbLevels.map((l) => ({
        tcb: {
          ...Object.fromEntries(
            l.tcb.sgxtcbcomponents.map((c, i) => [
              `sgxtcbcomp${String(i + 1).padStart(2, '0')}svn`,
              c.svn,
            ]),
          ),
          pcesvn: l.tcb.pcesvn,
        },
        tcbDate: l.tcbDate,
        tcbStatus: l.tcbStatus,
      })),
    },
    'sgx',
  );
  for (const sgx of [
    [11, 11, 2],
    [11, 10, 2],
    [12, 12, 12],
  ]) {
    const platform = { sgxTcbComponents: comps(...sgx).map((c) => c.svn), pceSvn: 13 };
    assert.equal(matchPlatformLevel(v2, platform).status, matchPlatformLevel(v3, platform).status);
  }
  assert.equal(v2.tcbEvaluationDataNumber, 9);
  assert.throws(
    () => matchPlatformLevel(v2, { sgxTcbComponents: comps(9).map((c) => c.svn), pceSvn: 13 }),
    codeIs('CAS_ATTESTATION_TCB_NO_MATCH'),
  );
});

test('a TD 1.5 report is judged under its launch TCB and, when preserved, its current TCB', () => {
  const module = {
    mrsigner: zeros48,
    attributes: '0000000000000000',
    attributesMask: 'FFFFFFFFFFFFFFFF',
  };
  const moduleLevel = (isvsvn: number, tcbStatus: string) => ({
    tcb: { isvsvn },
    tcbDate: '2024-03-13T00:00:00Z',
    tcbStatus,
  });
  const tcb = info('TDX', [level([2], 11, 'UpToDate', undefined, [0, 0, 2])], {
    tdxModule: module,
    tdxModuleIdentities: [
      {
        id: 'TDX_01',
        ...module,
        tcbLevels: [moduleLevel(6, 'UpToDate'), moduleLevel(2, 'OutOfDate')],
      },
    ],
  });
  const svn = (...b: number[]) =>
    new Uint8Array([...b, ...new Array<number>(16 - b.length).fill(0)]);
  const td = (teeTcbSvn: Uint8Array, teeTcbSvn2?: Uint8Array) =>
    ({
      teeTcbSvn,
      mrSignerSeam: new Uint8Array(48),
      seamAttributes: new Uint8Array(8),
      ...(teeTcbSvn2 ? { teeTcbSvn2 } : {}),
    }) as unknown as TdReport;
  const pck = { sgxTcbComponents: comps(2).map((c) => c.svn), pceSvn: 11 };
  // TD 1.0, or TD 1.5 without a preserved TCB (TEE_TCB_SVN2 all zero): one evaluation
  assert.equal(matchTdLevels(tcb, pck, td(svn(7, 1, 2))).current, undefined);
  assert.equal(matchTdLevels(tcb, pck, td(svn(7, 1, 2), svn())).current, undefined);
  // launched under module SVN 3 (OutOfDate), running 7 (UpToDate): both are reported
  const both = matchTdLevels(tcb, pck, td(svn(3, 1, 2), svn(7, 1, 2)));
  assert.equal(both.launch.module.level?.status, 'OutOfDate');
  assert.equal(both.current?.module.level?.status, 'UpToDate');
  // a current TCB that matches no level is a refusal too
  assert.throws(
    () => matchTdLevels(tcb, pck, td(svn(7, 1, 2), svn(1, 1, 2))),
    codeIs('CAS_ATTESTATION_TCB_NO_MATCH'),
  );
});
