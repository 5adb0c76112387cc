import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeEvidence, parseAt } from '../../src/cli/commands/evidence-verify.js';
import { CasError } from '../../src/errors/cas-error.js';
import { runBin } from '../helpers/bin.js';
import { requireShared } from '../helpers/shared.js';

const SGX_AT = '1751328000';

test('scone evidence verify prints the claims of valid Intel evidence and exits 0', async (t) => {
  const root = requireShared(t, 'testvectors');
  if (root === null) return;
  const sgx = await runBin('scone', [
    'evidence',
    'verify',
    join(root, 'sgx/dcapqvl_sgx_quote.bin'),
    '--type',
    'sgx-dcap',
    '--collateral',
    join(root, 'sgx'),
    '--at',
    SGX_AT,
  ]);
  assert.equal(sgx.code, 0, sgx.stderr);
  const claims = JSON.parse(sgx.stdout) as Record<string, unknown>;
  assert.equal(claims['tcb_status'], 'ConfigurationAndSWHardeningNeeded');
  assert.deepEqual(claims['advisory_ids'], ['INTEL-SA-00289', 'INTEL-SA-00615']);
  assert.equal(
    (claims['measurements'] as Record<string, string>)['mrenclave'],
    '33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb',
  );
  assert.equal(claims['debug'], false);

  const tdx = await runBin('scone', [
    'evidence',
    'verify',
    join(root, 'tdx/dcapqvl_tdx_quote.bin'),
    '--type',
    'tdx',
    '--collateral',
    join(root, 'tdx/dcapqvl_tdx_quote_collateral.json'),
    '--at',
    '2025-07-01T00:00:00Z',
    '--json',
  ]);
  assert.equal(tdx.code, 0, tdx.stderr);
  const td = JSON.parse(tdx.stdout) as Record<string, unknown>;
  assert.equal(td['tcb_status'], 'UpToDate');
  assert.equal(
    (td['measurements'] as Record<string, string>)['mrtd'],
    '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7',
  );
});

test('scone evidence verify reads hex and base64 evidence and checks the expected report data', async (t) => {
  const root = requireShared(t, 'testvectors');
  if (root === null) return;
  const dir = mkdtempSync(join(tmpdir(), 'cas-evidence-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const quote = readFileSync(join(root, 'sgx/dcapqvl_sgx_quote.bin'));
  const reportData = Buffer.from('Hello, world!').toString('hex') + '00'.repeat(51);
  writeFileSync(join(dir, 'quote.hex'), quote.toString('hex') + '\n');
  writeFileSync(join(dir, 'quote.b64'), quote.toString('base64').replace(/(.{76})/g, '$1\n'));
  const collateral = join(root, 'sgx/dcapqvl_sgx_quote_collateral.json');
  const sgxVerify = (file: string, reportDataHex: string) =>
    runBin('scone', [
      'evidence',
      'verify',
      join(dir, file),
      '--type',
      'sgx-dcap',
      '--collateral',
      collateral,
      '--at',
      SGX_AT,
      '--expect-report-data',
      reportDataHex,
    ]);
  for (const file of ['quote.hex', 'quote.b64']) {
    const ok = await sgxVerify(file, reportData);
    assert.equal(ok.code, 0, `${file}: ${ok.stderr}`);
  }
  const wrong = await sgxVerify('quote.hex', 'ff'.repeat(64));
  assert.equal(wrong.code, 3);
  assert.match(wrong.stderr, /CAS_ATTESTATION_REPORT_DATA_MISMATCH/);
});

test('scone evidence verify exits 3 with the coded reason when evidence is refused', async (t) => {
  const root = requireShared(t, 'testvectors');
  if (root === null) return;
  const cases: [string, string[], string][] = [
    [
      'debug enclave',
      [
        'sgx/automata_quote_sgx_debug.bin',
        '--type',
        'sgx-dcap',
        '--collateral',
        join(root, 'sgx'),
        '--at',
        SGX_AT,
      ],
      'CAS_ATTESTATION_DEBUG_REFUSED',
    ],
    [
      'TCB level not supported',
      [
        'tdx/dcapqvl_tdx_quote_outdated.bin',
        '--type',
        'tdx',
        '--collateral',
        join(root, 'tdx'),
        '--at',
        '1772323200',
      ],
      'CAS_ATTESTATION_TCB_NO_MATCH',
    ],
    [
      'collateral expired',
      [
        'sgx/dcapqvl_sgx_quote.bin',
        '--type',
        'sgx-dcap',
        '--collateral',
        join(root, 'sgx'),
        '--at',
        '2025-08-01T00:00:00Z',
      ],
      'CAS_ATTESTATION_COLLATERAL_EXPIRED',
    ],
    [
      'no collateral',
      ['sgx/dcapqvl_sgx_quote.bin', '--type', 'sgx-dcap', '--at', SGX_AT],
      'CAS_ATTESTATION_COLLATERAL_MISSING',
    ],
  ];
  for (const [name, [file, ...args], code] of cases) {
    const r = await runBin('scone', ['evidence', 'verify', join(root, file!), ...args]);
    assert.equal(r.code, 3, `${name}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(code), name);
    assert.equal(r.stdout, '', name);
  }
  const debugAllowed = await runBin('scone', [
    'evidence',
    'verify',
    join(root, 'sgx/automata_quote_sgx_debug.bin'),
    '--type',
    'sgx-dcap',
    '--collateral',
    join(root, 'sgx'),
    '--at',
    SGX_AT,
    '--allow-debug',
  ]);
  assert.equal(debugAllowed.code, 0, debugAllowed.stderr);
  assert.equal((JSON.parse(debugAllowed.stdout) as { debug: boolean }).debug, true);
});

test('scone evidence verify refuses bad usage with exit 1', async (t) => {
  const root = requireShared(t, 'testvectors');
  if (root === null) return;
  const quote = join(root, 'sgx/dcapqvl_sgx_quote.bin');
  const cases: [string[], string][] = [
    [['--type', 'sgx-epid'], 'CAS_ATTESTATION_UNKNOWN_TYPE'],
    [['--type', 'sgx-dcap', '--at', 'yesterday'], 'CAS_CLI_USAGE'],
    [['--type', 'sgx-dcap', '--expect-report-data', 'abcd'], 'CAS_CLI_USAGE'],
  ];
  for (const [args, code] of cases) {
    const r = await runBin('scone', ['evidence', 'verify', quote, ...args]);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(code));
  }
});

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
