import { verifierFor } from '../attestation/registry.js';
import type { CasRuntime } from './cas-runtime.js';
import type { AttestWorkloadDeps } from './enclave/ports.js';
import {
  loadForProvisioning,
  type SessionForProvisioning,
} from './sessions/load-for-provisioning.js';
import { ProvisioningCache } from './sessions/provisioning-cache.js';
import { renderForProvisioning } from './sessions/render-for-provisioning.js';

/**
 * What the enclave API needs from this CAS: sessions with their secrets (imports resolved),
 * rendering with the amendment-6 rule, the verifiers, the CAS's logger and audit hook.
 */
export function enclaveDeps(rt: CasRuntime): AttestWorkloadDeps {
  const { audit } = rt.deps;
  // One per enclave listener: decoded sessions, checked against the database on every use.
  const cache = new ProvisioningCache();
  return {
    loadForProvisioning: async (name) => {
      const { env } = rt.deps;
      const loaded = await loadForProvisioning(rt.store(), name, {
        cache,
        renew: { now: env.now(), randomBytes: (n) => env.randomBytes(n) },
      });
      return loaded === null
        ? null
        : { session: loaded.session, hash: loaded.hash, values: loaded };
    },
    renderService: (session, service, values) =>
      renderForProvisioning(session, service, values as SessionForProvisioning),
    verifierFor,
    log: rt.deps.logger,
    ...(audit === undefined ? {} : { audit: (event) => audit.record(event) }),
    now: () => rt.deps.env.now(),
  };
}
