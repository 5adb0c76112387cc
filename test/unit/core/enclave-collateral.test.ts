import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { dcapCollateralKey } from '../../../src/attestation/intel/collateral-key.js';
import { attestWorkload } from '../../../src/core/attest-workload.js';
import type { Caller } from '../../../src/core/caller.js';
import { enclaveDeps } from '../../../src/core/enclave-deps.js';
import { createSession } from '../../../src/core/sessions/create-session.js';
import { storeTcbEvaluationMemory } from '../../../src/core/store-tcb-evaluation-memory.js';
import { generateIdentity } from '../../../src/crypto/identity.js';
import { isCasError } from '../../../src/errors/cas-error.js';
import { requireShared } from '../../helpers/shared.js';
import { provisionedRuntime } from './provisioned-runtime.js';

const MRENCLAVE = '33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb';
/** When the vector's collateral is valid. */
const NOW = new Date(1751328000 * 1000);

function session(name: string, mrenclave: string): string {
  return `version: "0.3.10"
name: ${name}
security:
  attestation:
    mode: hardware
    tolerate: [insecure-configuration, software-hardening-needed]
    ignore_advisories: [INTEL-SA-00289, INTEL-SA-00615]
services:
  - name: app
    command: /bin/app
    attestation: {mrenclave: ["${mrenclave}"]}
`;
}

/** Runs the enclave use case on the real quote; returns the detailed reason it logged. */
async function attest(
  t: TestContext,
  collateralDir: string | undefined,
  prepare?: (
    rt: Awaited<ReturnType<typeof provisionedRuntime>>,
    quote: Uint8Array,
  ) => Promise<void>,
): Promise<Record<string, string>> {
  const dir = requireShared(t, 'testvectors', 'sgx');
  if (dir === null) return {};
  const quote = new Uint8Array(readFileSync(join(dir, 'dcapqvl_sgx_quote.bin')));
  const config =
    collateralDir === undefined
      ? ''
      : `[dcap]\ncollateral_dir = "${collateralDir === '' ? dir : collateralDir}"\n`;
  const rt = await provisionedRuntime({ now: NOW }, config);
  const id = await generateIdentity();
  const alice: Caller = { keyHash: id.keyHash, certPem: id.certPem };
  await createSession(rt, alice, session('right', MRENCLAVE));
  await createSession(rt, alice, session('wrong', 'ab'.repeat(32)));
  await prepare?.(rt, quote);
  const reasons: Record<string, string> = {};
  for (const name of ['right', 'wrong']) {
    const logged: Array<Record<string, unknown>> = [];
    const deps = enclaveDeps(rt);
    const log = {
      ...deps.log,
      warn: (fields: object) => void logged.push(fields as Record<string, unknown>),
    };
    await assert.rejects(
      attestWorkload(
        { ...deps, log: log },
        {
          configId: `${name}/app`,
          evidence: { type: 'sgx-dcap', data: quote },
          nonce: randomBytes(32),
          peerSpki: randomBytes(91),
        },
      ),
      (e: unknown) => isCasError(e) && e.code === 'CAS_ATTESTATION_REFUSED',
    );
    reasons[name] = String(logged.find((f) => f['event'] === 'attestation_refused')?.['reason']);
  }
  return reasons;
}

describe('real Intel evidence over the enclave API', () => {
  test('with [dcap] collateral_dir the quote verifies up to the binding check, for either session', async (t) => {
    const reasons = await attest(t, '');
    if (Object.keys(reasons).length === 0) return;
    // The binding is checked while verifying, before the session is read: a real quote cannot
    // be bound to this test's nonce and key, so both stop there, not at collateral or types.
    assert.deepEqual(reasons, {
      right: 'CAS_ATTESTATION_REPORT_DATA_MISMATCH',
      wrong: 'CAS_ATTESTATION_REPORT_DATA_MISMATCH',
    });
  });

  test('without collateral_dir the refusal says the collateral is missing', async (t) => {
    const reasons = await attest(t, undefined);
    if (Object.keys(reasons).length === 0) return;
    assert.equal(reasons['right'], 'CAS_ATTESTATION_COLLATERAL_MISSING');
  });

  test('collateral older than what this CAS accepted before is refused (store-backed memory)', async (t) => {
    const reasons = await attest(t, '', async (rt, quote) => {
      const { tee, fmspc } = dcapCollateralKey(quote);
      await storeTcbEvaluationMemory(() => rt.store()).record(tee, fmspc, 1_000_000);
    });
    if (Object.keys(reasons).length === 0) return;
    assert.equal(reasons['right'], 'CAS_ATTESTATION_COLLATERAL_STALE');
  });

  test('the store-backed memory only ever raises the number', async () => {
    const rt = await provisionedRuntime({ now: NOW });
    const memory = storeTcbEvaluationMemory(() => rt.store());
    assert.equal(await memory.highest('sgx', '00606A000000'), undefined);
    await memory.record('sgx', '00606A000000', 17);
    await memory.record('sgx', '00606a000000', 16);
    assert.equal(await memory.highest('sgx', '00606a000000'), 17);
    assert.equal(await memory.highest('tdx', '00606a000000'), undefined);
  });
});
