import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeEvidence, parseAt } from '../../src/cli/commands/evidence-verify.js';
import { CasError } from '../../src/errors/cas-error.js';
import { runVerifyCase, verifyCaseTest, type VerifyCase } from '../helpers/evidence-verify.js';
import { requireShared } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp-dir.js';

const SGX_AT = '1751328000';
const SGX_QUOTE = 'sgx/dcapqvl_sgx_quote.bin';
const SGX_DEBUG = 'sgx/automata_quote_sgx_debug.bin';

const sgx = { type: 'sgx-dcap', collateral: 'sgx', at: SGX_AT } as const;

const valid: VerifyCase[] = [
  {
    name: 'SGX quote, collateral folder, unix seconds',
    file: SGX_QUOTE,
    ...sgx,
    exit: 0,
    claims: {
      tcb_status: 'ConfigurationAndSWHardeningNeeded',
      advisory_ids: ['INTEL-SA-00289', 'INTEL-SA-00615'],
      'measurements.mrenclave': '33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb',
      debug: false,
    },
  },
  {
    name: 'TDX quote, collateral file, ISO 8601, --json',
    file: 'tdx/dcapqvl_tdx_quote.bin',
    type: 'tdx',
    collateral: 'tdx/dcapqvl_tdx_quote_collateral.json',
    at: '2025-07-01T00:00:00Z',
    flags: ['--json'],
    exit: 0,
    claims: {
      tcb_status: 'UpToDate',
      'measurements.mrtd':
        '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7',
    },
  },
];

const refused: VerifyCase[] = [
  {
    name: 'debug enclave',
    file: SGX_DEBUG,
    ...sgx,
    exit: 3,
    code: 'CAS_ATTESTATION_DEBUG_REFUSED',
  },
  {
    name: 'TCB level not supported',
    file: 'tdx/dcapqvl_tdx_quote_outdated.bin',
    type: 'tdx',
    collateral: 'tdx',
    at: '1772323200',
    exit: 3,
    code: 'CAS_ATTESTATION_TCB_NO_MATCH',
  },
  {
    name: 'collateral expired',
    file: SGX_QUOTE,
    ...sgx,
    at: '2025-08-01T00:00:00Z',
    exit: 3,
    code: 'CAS_ATTESTATION_COLLATERAL_EXPIRED',
  },
  {
    name: 'no collateral',
    file: SGX_QUOTE,
    type: 'sgx-dcap',
    at: SGX_AT,
    exit: 3,
    code: 'CAS_ATTESTATION_COLLATERAL_MISSING',
  },
  {
    name: 'debug enclave with --allow-debug',
    file: SGX_DEBUG,
    ...sgx,
    flags: ['--allow-debug'],
    exit: 0,
    claims: { debug: true },
  },
];

const badUsage: VerifyCase[] = [
  {
    name: '--type sgx-epid',
    file: SGX_QUOTE,
    type: 'sgx-epid',
    exit: 1,
    code: 'CAS_ATTESTATION_UNKNOWN_TYPE',
  },
  {
    name: '--at yesterday',
    file: SGX_QUOTE,
    type: 'sgx-dcap',
    at: 'yesterday',
    exit: 1,
    code: 'CAS_CLI_USAGE',
  },
  {
    name: '--expect-report-data of 2 bytes',
    file: SGX_QUOTE,
    type: 'sgx-dcap',
    flags: ['--expect-report-data', 'abcd'],
    exit: 1,
    code: 'CAS_CLI_USAGE',
  },
];

verifyCaseTest(
  'scone evidence verify prints the claims of valid Intel evidence and exits 0',
  valid,
);

test('scone evidence verify reads hex and base64 evidence and checks the expected report data', async (t) => {
  const root = requireShared(t, 'testvectors');
  if (root === null) return;
  const dir = tempDir(t, 'cas-evidence-');
  const quote = readFileSync(join(root, SGX_QUOTE));
  const reportData = Buffer.from('Hello, world!').toString('hex') + '00'.repeat(51);
  writeFileSync(join(dir, 'quote.hex'), quote.toString('hex') + '\n');
  writeFileSync(join(dir, 'quote.b64'), quote.toString('base64').replace(/(.{76})/g, '$1\n'));
  const encoded = (file: string, expected: string): VerifyCase => ({
    name: `${file}, report data ${expected.slice(0, 8)}…`,
    file: join(dir, file),
    ...sgx,
    collateral: 'sgx/dcapqvl_sgx_quote_collateral.json',
    flags: ['--expect-report-data', expected],
    exit: 0,
  });
  for (const file of ['quote.hex', 'quote.b64'])
    await runVerifyCase(root, encoded(file, reportData));
  await runVerifyCase(root, {
    ...encoded('quote.hex', 'ff'.repeat(64)),
    exit: 3,
    code: 'CAS_ATTESTATION_REPORT_DATA_MISMATCH',
  });
});

verifyCaseTest(
  'scone evidence verify exits 3 with the coded reason when evidence is refused',
  refused,
);

verifyCaseTest('scone evidence verify refuses bad usage with exit 1', badUsage);

test('evidence files are read as raw, hex or base64, and --at as ISO 8601 or unix seconds', () => {
  const raw = new Uint8Array([3, 0, 2, 0, 0xff, 0x10]);
  assert.deepEqual(decodeEvidence(raw), raw);
  assert.deepEqual(decodeEvidence(new TextEncoder().encode('030002 00ff10\n')), raw);
  assert.deepEqual(
    decodeEvidence(new TextEncoder().encode(Buffer.from(raw).toString('base64'))),
    raw,
  );
  const json = new TextEncoder().encode('{"quote":{}}');
  assert.deepEqual(decodeEvidence(json), json);
  assert.equal(parseAt('1751328000').toISOString(), '2025-07-01T00:00:00.000Z');
  assert.equal(parseAt('2025-07-01T02:00:00+02:00').toISOString(), '2025-07-01T00:00:00.000Z');
  assert.equal(parseAt('2025-07-01').toISOString(), '2025-07-01T00:00:00.000Z');
  for (const bad of ['2025-07-01T00:00', 'tomorrow', '', '1e9', '2025-13-45T00:00:00Z']) {
    assert.throws(
      () => parseAt(bad),
      (e) => e instanceof CasError && e.code === 'CAS_CLI_USAGE',
      bad,
    );
  }
});
