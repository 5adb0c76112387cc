import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, test, type TestContext } from 'node:test';
import { attestWorkload } from '../../../src/core/attest-workload.js';
import { enclaveDeps } from '../../../src/core/enclave-deps.js';
import { createSession } from '../../../src/core/sessions/create-session.js';
import { generateIdentity } from '../../../src/crypto/identity.js';
import { isCasError } from '../../../src/errors/cas-error.js';
import { testArk, testCrl } from '../../helpers/amd-crl.js';
import { requireShared } from '../../helpers/shared.js';
import { snpCertificateTable } from '../../helpers/snp-cert-table.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { codeOf } from '../../helpers/evidence.js';
import { provisionedRuntime } from './provisioned-runtime.js';

/** The fixed clock of the trustee Milan vector. */
const NOW = new Date(1719187200 * 1000);

const SESSION = `version: "0.3.10"
name: snp
security:
  attestation:
    mode: hardware
services:
  - name: app
    command: /bin/app
    attestation: {mrenclave: ["${'ab'.repeat(32)}"]}
`;

/** The reason the CAS logs when it refuses the real extended SNP report of trustee (Milan). */
async function refusal(t: TestContext, ownerConfig: string): Promise<string | null> {
  const dir = requireShared(t, 'testvectors', 'sev-snp');
  if (dir === null) return null;
  const read = (file: string): Uint8Array => new Uint8Array(readFileSync(join(dir, file)));
  const evidence = new Uint8Array(
    Buffer.concat([
      read('trustee_milan_report.bin'),
      snpCertificateTable([read('trustee_milan_vcek.der')]),
    ]),
  );
  const rt = await provisionedRuntime({ now: NOW }, ownerConfig);
  const alice = await generateIdentity();
  await createSession(rt, { keyHash: alice.keyHash, certPem: alice.certPem }, SESSION);
  const logged: Array<Record<string, unknown>> = [];
  const deps = enclaveDeps(rt);
  const log = { ...deps.log, warn: (fields: object) => void logged.push({ ...fields }) };
  await assert.rejects(
    attestWorkload(
      { ...deps, log },
      {
        configId: 'snp/app',
        evidence: { type: 'snp', data: evidence },
        nonce: randomBytes(32),
        peerSpki: randomBytes(91),
      },
    ),
    (e: unknown) => isCasError(e) && e.code === 'CAS_ATTESTATION_REFUSED',
  );
  return String(logged.find((f) => f['event'] === 'attestation_refused')?.['reason']);
}

describe('[snp] crl_dir: AMD revocation over the enclave API', () => {
  test('without crl_dir the real report verifies up to the binding (no revocation check)', async (t) => {
    const reason = await refusal(t, '');
    if (reason === null) return;
    // A real report cannot be bound to this test's nonce: it stops there, after the chain.
    assert.equal(reason, 'CAS_ATTESTATION_REPORT_DATA_MISMATCH');
  });

  test('with crl_dir and no CRL of ARK-Milan in it, the report is refused before the binding', async (t) => {
    const crls = tempDir(t);
    writeFileSync(join(crls, 'other.crl'), await testCrl(await testArk()));
    const reason = await refusal(t, `[snp]\ncrl_dir = "${crls}"\n`);
    if (reason === null) return;
    assert.equal(reason, 'CAS_ATTESTATION_CRL_INVALID');
  });

  test('with a crl_dir that cannot be read, the report is refused, not passed unchecked', async (t) => {
    const reason = await refusal(t, `[snp]\ncrl_dir = "${join(tempDir(t), 'missing')}"\n`);
    if (reason === null) return;
    assert.equal(reason, 'CAS_ATTESTATION_COLLATERAL_MISSING');
  });
});

describe('enclave collateral for AMD evidence', () => {
  test('snp and tpm get the CRLs of crl_dir, re-read when a file changes; Intel types are untouched', async (t) => {
    const crls = tempDir(t);
    const ark = await testArk();
    const first = await testCrl(ark);
    writeFileSync(join(crls, 'milan.crl'), first);
    writeFileSync(join(crls, 'README'), 'AMD KDS CRLs\n');
    const rt = await provisionedRuntime({ now: NOW }, `[snp]\ncrl_dir = "${crls}"\n`);
    const deps = enclaveDeps(rt);
    const collateralFor = deps.collateralFor!;
    const evidence = new Uint8Array(8);
    assert.deepEqual(await collateralFor('snp', evidence), { revocation: { crls: [first] } });
    assert.deepEqual(await collateralFor('tpm', evidence), {
      snp: { revocation: { crls: [first] } },
    });
    const second = await testCrl(ark, { revoked: ['0abc'] });
    writeFileSync(join(crls, 'milan.crl'), second);
    assert.deepEqual(await collateralFor('snp', evidence), { revocation: { crls: [second] } });
    assert.equal(await collateralFor('nitro', evidence), undefined);
    // Intel evidence still needs [dcap] collateral_dir, whatever [snp] says.
    assert.equal(
      await codeOf(collateralFor('sgx-dcap', evidence)),
      'CAS_ATTESTATION_COLLATERAL_MISSING',
    );
    if (process.getuid?.() !== 0) {
      chmodSync(crls, 0o000);
      t.after(() => chmodSync(crls, 0o700));
      assert.equal(
        await codeOf(collateralFor('snp', evidence)),
        'CAS_ATTESTATION_COLLATERAL_MISSING',
      );
    }
  });

  test('without crl_dir snp and tpm get no collateral over the enclave API', async () => {
    const collateralFor = enclaveDeps(await provisionedRuntime({ now: NOW })).collateralFor!;
    assert.equal(await collateralFor('snp', new Uint8Array(8)), undefined);
    assert.equal(await collateralFor('tpm', new Uint8Array(8)), undefined);
  });
});
