import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dcapCollateralKey } from '../../../src/attestation/intel/collateral-key.js';
import { collateralLoaders } from '../../../src/collateral/collateral-loaders.js';
import { parseDcapCollateralJson } from '../../../src/collateral/dcap-collateral-json.js';
import {
  directoryDcapCollateralSource,
  loadDcapCollateral,
} from '../../../src/collateral/dcap-collateral-source.js';
import { CasError } from '../../../src/errors/cas-error.js';
import { requireShared } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { newerEvaluation } from './collateral-test-io.js';

const codeIs = (code: string) => (e: unknown) => e instanceof CasError && e.code === code;

test('the collateral JSON layout keeps the signed texts byte for byte', (t) => {
  const root = requireShared(t, 'testvectors');
  if (root === null) return;
  const text = readFileSync(join(root, 'sgx/dcapqvl_sgx_quote_collateral.json'), 'utf8');
  const c = parseDcapCollateralJson(text);
  const raw = JSON.parse(text) as Record<string, string>;
  assert.equal(Buffer.from(c.tcbInfo).toString('utf8'), raw['tcb_info']);
  assert.equal(Buffer.from(c.qeIdentity).toString('utf8'), raw['qe_identity']);
  assert.equal(c.tcbInfoSignature.length, 64);
  assert.equal(Buffer.from(c.pckCrl).toString('hex'), raw['pck_crl']);
  const pem = (hex: string) =>
    `-----BEGIN X509 CRL-----\n${(
      Buffer.from(hex, 'hex')
        .toString('base64')
        .match(/.{1,64}/g) ?? []
    ).join('\n')}\n-----END X509 CRL-----\n`;
  const withPem = parseDcapCollateralJson(
    JSON.stringify({
      ...raw,
      pck_crl: pem(raw['pck_crl']!),
      root_ca_crl: pem(raw['root_ca_crl']!),
    }),
  );
  assert.deepEqual(withPem, c);
});

test('malformed collateral JSON is refused with a code', () => {
  const good = {
    root_ca_crl: '30',
    pck_crl: '30',
    tcb_info_issuer_chain: '',
    tcb_info: '{}',
    tcb_info_signature: '00',
    qe_identity_issuer_chain: '',
    qe_identity: '{}',
    qe_identity_signature: '00',
  };
  assert.throws(() => parseDcapCollateralJson('{'), codeIs('CAS_ATTESTATION_COLLATERAL_MALFORMED'));
  assert.throws(
    () => parseDcapCollateralJson('[]'),
    codeIs('CAS_ATTESTATION_COLLATERAL_MALFORMED'),
  );
  assert.throws(
    () => parseDcapCollateralJson(JSON.stringify({ ...good, pck_crl: 'xyz' })),
    codeIs('CAS_ATTESTATION_COLLATERAL_MALFORMED'),
  );
  assert.throws(
    () => parseDcapCollateralJson(JSON.stringify({ ...good, tcb_info: 5 })),
    codeIs('CAS_ATTESTATION_COLLATERAL_MISSING'),
  );
  parseDcapCollateralJson(JSON.stringify(good));
});

test("a collateral directory serves the file of the quote's TEE, FMSPC and PCK CA", async (t) => {
  const root = requireShared(t, 'testvectors');
  if (root === null) return;
  const quote = (p: string) => new Uint8Array(readFileSync(join(root, p)));
  const text = (p: string) => readFileSync(join(root, p), 'utf8');
  const cases: [string, string, string][] = [
    ['sgx', 'sgx/dcapqvl_sgx_quote.bin', 'sgx/dcapqvl_sgx_quote_collateral.json'],
    ['sgx', 'sgx/automata_quotev3.bin', 'sgx/automata_quotev3_collateral.json'],
    ['sgx', 'sgx/automata_quote_sgx_debug.bin', 'sgx/dcapqvl_sgx_quote_collateral.json'],
    ['tdx', 'tdx/dcapqvl_tdx_quote.bin', 'tdx/dcapqvl_tdx_quote_collateral.json'],
    ['tdx', 'tdx/dcapqvl_tdx_quote_outdated.bin', 'tdx/dcapqvl_tdx_quote_outdated_collateral.json'],
    [
      'tdx',
      'tdx/gotdx_tdx_prod_quote_SPR_E4.bin',
      'tdx/gotdx_tdx_prod_quote_SPR_E4_collateral.json',
    ],
  ];
  for (const [dir, q, expected] of cases) {
    const got = await directoryDcapCollateralSource(join(root, dir)).collateralFor(
      dcapCollateralKey(quote(q)),
    );
    assert.deepEqual(got, parseDcapCollateralJson(text(expected)), q);
    assert.deepEqual(await loadDcapCollateral(join(root, expected), quote(q)), got, q);
  }
  assert.deepEqual(dcapCollateralKey(quote('tdx/dcapqvl_tdx_quote.bin')), {
    tee: 'tdx',
    fmspc: 'b0c06f000000',
    pckCa: 'platform',
  });
  // a TDX quote finds nothing among SGX collateral
  await assert.rejects(
    directoryDcapCollateralSource(join(root, 'sgx')).collateralFor(
      dcapCollateralKey(quote('tdx/dcapqvl_tdx_quote.bin')),
    ),
    codeIs('CAS_ATTESTATION_COLLATERAL_MISSING'),
  );
  await assert.rejects(
    directoryDcapCollateralSource(join(root, 'nope')).collateralFor({
      tee: 'sgx',
      fmspc: '00',
      pckCa: 'platform',
    }),
    codeIs('CAS_ATTESTATION_COLLATERAL_MISSING'),
  );
  await assert.rejects(
    loadDcapCollateral(join(root, 'nope.json'), quote('tdx/dcapqvl_tdx_quote.bin')),
    codeIs('CAS_ATTESTATION_COLLATERAL_MISSING'),
  );
  await assert.rejects(
    collateralLoaders['sgx-dcap']!(undefined, quote('sgx/dcapqvl_sgx_quote.bin')),
    codeIs('CAS_ATTESTATION_COLLATERAL_MISSING'),
  );
});

test('of several files for one FMSPC the directory serves the newest evaluation', async (t) => {
  const root = requireShared(t, 'testvectors');
  if (root === null) return;
  const dir = tempDir(t, 'cas-collateral-');
  const original = readFileSync(join(root, 'sgx/dcapqvl_sgx_quote_collateral.json'), 'utf8');
  writeFileSync(join(dir, 'a.json'), original);
  writeFileSync(join(dir, 'b.json'), newerEvaluation(original));
  writeFileSync(join(dir, 'notes.json'), '{"not":"collateral"}');
  writeFileSync(join(dir, 'broken.json'), '{');
  const quote = new Uint8Array(readFileSync(join(root, 'sgx/dcapqvl_sgx_quote.bin')));
  const got = await directoryDcapCollateralSource(dir).collateralFor(dcapCollateralKey(quote));
  assert.match(Buffer.from(got.tcbInfo).toString('utf8'), /"tcbEvaluationDataNumber":19/);
});
