import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { attestWorkload } from '../../../src/core/attest-workload.js';
import type { CasError } from '../../../src/errors/cas-error.js';
import { isCasError } from '../../../src/errors/cas-error.js';
import { demoSession, fakeDeps, MEASUREMENT, nonce, simWorld } from './fixtures.js';

const world = simWorld();

function refusedWith(code: string, check?: (e: CasError) => void) {
  return (error: unknown) => {
    assert.ok(isCasError(error), String(error));
    assert.equal(error.code, code, error.message);
    check?.(error);
    return true;
  };
}

/** An attestation request for `demo/app`: fresh sim evidence of `measurement` bound to its nonce and key. */
function simRequest(measurement = MEASUREMENT): Parameters<typeof attestWorkload>[1] {
  const n = nonce();
  return {
    configId: 'demo/app',
    evidence: { type: 'sim', data: world.evidence(n, measurement) },
    nonce: n,
    peerSpki: world.spki,
  };
}

test('matching sim evidence receives the rendered configuration, and it is logged without secrets', async () => {
  const deps = fakeDeps({ demo: demoSession() });
  const config = await attestWorkload(deps, simRequest());
  assert.deepEqual(config.argv, ['app', '--flag']);
  assert.equal(config.env['PASSWORD'], 'SECRET-PW');
  assert.equal(config.session, 'demo');
  assert.equal(config.service, 'app');
  assert.equal(config.simulation, true);
  assert.match(config.warnings.join('\n'), /simulated/);
  assert.equal(deps.logs.length, 1);
  assert.equal(deps.logs[0]!.fields['event'], 'service_attested');
  assert.deepEqual(deps.logs[0]!.fields['measurement'], { mrenclave: MEASUREMENT });
  assert.ok(!JSON.stringify(deps.logs).includes('SECRET-PW'));
  assert.deepEqual(deps.audits, [
    {
      event: 'service_attested',
      session: 'demo',
      service: 'app',
      hash: 'f'.repeat(64),
      measurement: MEASUREMENT,
    },
  ]);
});

const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
  type: 'spki',
  format: 'der',
});

const refusals: Array<{
  name: string;
  code: string;
  reason: string;
  configId?: string;
  session?: ReturnType<typeof demoSession>;
  evidence?: (n: Buffer) => Uint8Array | undefined;
  nonceUsed?: () => Buffer;
}> = [
  {
    name: 'a measurement not in the session',
    code: 'CAS_ATTESTATION_REFUSED',
    reason: 'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
    evidence: (n) => world.evidence(n, 'cd'.repeat(32)),
  },
  {
    name: 'evidence for another TLS key',
    code: 'CAS_ATTESTATION_REFUSED',
    reason: 'CAS_ATTESTATION_REPORT_DATA_MISMATCH',
    evidence: (n) => world.evidence(n, MEASUREMENT, other),
  },
  {
    name: 'evidence bound to another nonce',
    code: 'CAS_ATTESTATION_REFUSED',
    reason: 'CAS_ATTESTATION_REPORT_DATA_MISMATCH',
    evidence: () => world.evidence(nonce()),
  },
  {
    name: 'sim evidence for a hardware session',
    code: 'CAS_ATTESTATION_REFUSED',
    reason: 'CAS_ATTESTATION_MODE_REFUSED',
    session: demoSession('hardware'),
  },
  {
    name: 'an unknown platform',
    code: 'CAS_ATTESTATION_REFUSED',
    reason: 'CAS_ATTESTATION_PLATFORM_REFUSED',
    session: demoSession('simulation', { platforms: ['someOtherPlatformKeyHash'] }),
  },
  {
    name: 'no evidence for a simulation session',
    code: 'CAS_ATTESTATION_REFUSED',
    reason: 'CAS_ATTESTATION_MODE_REFUSED',
    evidence: () => undefined,
  },
  {
    name: 'an unknown evidence type',
    code: 'CAS_ATTESTATION_REFUSED',
    reason: 'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
  },
  {
    name: 'a missing session',
    code: 'CAS_SESSION_UNKNOWN_OR_DENIED',
    reason: 'CAS_SESSION_UNKNOWN_OR_DENIED',
    configId: 'nope/app',
  },
  {
    name: 'a missing service',
    code: 'CAS_SESSION_UNKNOWN_OR_DENIED',
    reason: 'CAS_SESSION_UNKNOWN_OR_DENIED',
    configId: 'demo/nope',
  },
  {
    name: 'a malformed config id',
    code: 'CAS_SESSION_UNKNOWN_OR_DENIED',
    reason: 'CAS_SESSION_UNKNOWN_OR_DENIED',
    configId: 'demo',
  },
  {
    name: 'a placeholder that cannot render',
    code: 'CAS_ENCLAVE_CONFIGURATION_UNAVAILABLE',
    reason: 'CAS_INTERNAL',
    session: demoSession('simulation', { environment: { BROKEN: '1' } }),
  },
];

for (const c of refusals) {
  test(`refused: ${c.name} (${c.code}), logged with the reason, no configuration`, async () => {
    const deps = fakeDeps({ demo: c.session ?? demoSession() });
    const n = nonce();
    const data = c.evidence === undefined ? world.evidence(n) : c.evidence(n);
    const type = c.name === 'an unknown evidence type' ? 'sgx-epid' : 'sim';
    await assert.rejects(
      attestWorkload(deps, {
        configId: c.configId ?? 'demo/app',
        ...(data === undefined ? {} : { evidence: { type, data } }),
        nonce: n,
        peerSpki: world.spki,
      }),
      refusedWith(c.code, (e) => {
        assert.ok(!JSON.stringify(e.toBody()).includes('SECRET-PW'));
        assert.ok(!JSON.stringify(e.toBody()).includes(c.reason === c.code ? '\u0000' : c.reason));
      }),
    );
    assert.equal(deps.logs.length, 1);
    assert.equal(deps.logs[0]!.level, 'warn');
    assert.equal(deps.logs[0]!.fields['reason'], c.reason);
    if (c.configId === undefined) {
      assert.equal(deps.logs[0]!.fields['session'], 'demo');
      assert.equal(deps.logs[0]!.fields['service'], 'app');
    }
    assert.equal(deps.audits[0]?.event, 'attestation_refused');
    assert.ok(!JSON.stringify(deps.logs).includes('SECRET-PW'));
  });
}

test('a measurement refusal tells the operator the measurement the CAS saw', async () => {
  const deps = fakeDeps({ demo: demoSession() });
  const seen = 'cd'.repeat(32);
  await assert.rejects(
    attestWorkload(deps, simRequest(seen)),
    refusedWith('CAS_ATTESTATION_REFUSED', (e) => {
      assert.match(e.message, new RegExp(`mrenclave=${seen}`));
      assert.ok(!e.message.includes(MEASUREMENT), 'the expected value is not revealed');
      const observed = (e.details as { observed: Record<string, unknown> }).observed;
      assert.deepEqual(observed['measurements'], { mrenclave: seen });
      assert.equal(observed['platform_id'], world.platformId);
    }),
  );
});

test('mode none releases the configuration without evidence, with a warning', async () => {
  const deps = fakeDeps({ demo: demoSession('none') });
  const config = await attestWorkload(deps, {
    configId: 'demo/app',
    nonce: nonce(),
    peerSpki: world.spki,
  });
  assert.match(config.warnings.join(), /without attestation/);
  assert.ok(deps.logs.some((l) => l.level === 'warn' && /WITHOUT attestation/.test(l.message)));
  assert.equal(config.simulation, true);
});

test('a listed platform is accepted', async () => {
  const deps = fakeDeps({ demo: demoSession('simulation', { platforms: [world.platformId] }) });
  const config = await attestWorkload(deps, simRequest());
  assert.equal(config.service, 'app');
});
