import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { verifierFor } from '../../../src/attestation/registry.js';
import { signSimReport } from '../../../src/attestation/sim/sim-report.js';
import type { AttestWorkloadDeps, EnclaveAuditEvent } from '../../../src/core/enclave/ports.js';
import { workloadBinding } from '../../../src/crypto/workload-binding.js';
import { keyHashOfKey } from '../../../src/crypto/key-hash.js';
import { CasError } from '../../../src/errors/cas-error.js';
import type { AttestationMode, Service, Session } from '../../../src/policy/types.js';

export const MEASUREMENT = 'ab'.repeat(32);

/** A session with one service `app` that accepts MEASUREMENT. */
export function demoSession(
  mode: AttestationMode = 'simulation',
  service: Partial<Service> = {},
): Session {
  return {
    name: 'demo',
    version: '0.3.10',
    predecessor: null,
    services: [
      {
        name: 'app',
        command: ['app', '--flag'],
        environment: { GREETING: 'hello' },
        pwd: '/',
        attestation: [{ mrenclave: [MEASUREMENT] }],
        ...service,
      },
    ],
    secrets: [],
    images: [],
    access_policy: {
      read: ['CREATOR'],
      update: ['CREATOR'],
      create_sessions: [],
      list_sessions: [],
    },
    security: { attestation: { mode, tolerate: [], ignore_advisories: [] } },
  };
}

/** Log lines captured by the fake logger. */
export interface Captured {
  readonly logs: Array<{ level: string; fields: Record<string, unknown>; message: string }>;
  readonly audits: EnclaveAuditEvent[];
}

/** Dependencies of attestWorkload with a fake store and renderer. */
export function fakeDeps(
  sessions: Record<string, Session>,
  overrides: Partial<AttestWorkloadDeps> = {},
): AttestWorkloadDeps & Captured {
  const logs: Captured['logs'] = [];
  const audits: EnclaveAuditEvent[] = [];
  const logger = (level: string) => (fields: object, message: string) =>
    logs.push({ level, fields: fields as Record<string, unknown>, message });
  return {
    logs,
    audits,
    loadForProvisioning: (name) =>
      Promise.resolve(
        sessions[name] === undefined
          ? null
          : { session: sessions[name], hash: 'f'.repeat(64), values: { password: 'SECRET-PW' } },
      ),
    renderService: (session, name, values) => {
      const service = session.services.find((s) => s.name === name)!;
      const pw = (values as { password: string }).password;
      if (service.environment['BROKEN'] !== undefined) {
        throw new CasError('CAS_INTERNAL', 'secret "password" cannot render as :bogus');
      }
      return {
        argv: service.command,
        env: { ...service.environment, PASSWORD: pw },
        ...(service.pwd === undefined ? {} : { pwd: service.pwd }),
        files: [{ path: '/etc/app.conf', mode: 0o600, content: `pw=${pw}\n` }],
      };
    },
    verifierFor,
    log: { info: logger('info'), warn: logger('warn'), error: logger('error') },
    audit: (event) => {
      audits.push(event);
      return Promise.resolve();
    },
    now: () => new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  };
}

/** A simulated platform plus a workload TLS key, producing bound evidence. */
export function simWorld(): {
  platform: KeyObject;
  platformId: string;
  spki: Buffer;
  evidence: (nonce: Uint8Array, measurement?: string, spki?: Buffer) => Uint8Array;
} {
  const platform = generateKeyPairSync('ed25519').privateKey;
  const workload = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  const spki = workload.export({ type: 'spki', format: 'der' });
  return {
    platform,
    platformId: keyHashOfKey(platform),
    spki,
    evidence: (nonce, measurement = MEASUREMENT, key = spki) =>
      signSimReport({ measurement, reportData: workloadBinding(nonce, key) }, platform),
  };
}

/** 32 fresh random bytes. */
export function nonce(): Buffer {
  return randomBytes(32);
}
