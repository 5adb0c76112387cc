import type { Claims } from '../../attestation/verifier.js';
import { CasError } from '../../errors/cas-error.js';

/** The claims an unauthenticated caller may see back: what the CAS observed, nothing expected. */
export interface ObservedClaims {
  readonly type: string;
  readonly measurements?: Readonly<Record<string, string>>;
  readonly platform_id?: string;
  readonly tcb_status?: string;
  readonly debug?: boolean;
}

/** Observed claims of verified evidence, or just the type when it did not verify. */
export function observedOf(type: string, claims: Claims | undefined): ObservedClaims {
  if (claims === undefined) return { type };
  const platformId = claims.extra['platform_id'];
  return {
    type: claims.type,
    measurements: claims.measurements,
    ...(typeof platformId === 'string' ? { platform_id: platformId } : {}),
    tcb_status: claims.tcb_status,
    debug: claims.debug,
  };
}

function describe(observed: ObservedClaims): string {
  const parts = Object.entries(observed.measurements ?? {}).map(([k, v]) => `${k}=${v}`);
  if (observed.platform_id !== undefined) parts.push(`platform ${observed.platform_id}`);
  return parts.length === 0
    ? `${observed.type} evidence`
    : `${observed.type} evidence with ${parts.join(', ')}`;
}

/**
 * Turns a detailed refusal into what goes back to the workload (amendment 2): one coded
 * category and the observed claims. The detailed reason has been logged by then; expected
 * values, secret names and the detailed code stay in the CAS log and the audit log.
 *
 * Categories: `CAS_ATTESTATION_REFUSED` (evidence, binding, mode, platform, measurement, TCB),
 * `CAS_SESSION_UNKNOWN_OR_DENIED` (bad config id, no such session or service),
 * `CAS_ENCLAVE_CONFIGURATION_UNAVAILABLE` (the session's configuration cannot be rendered).
 */
export function refusalFor(
  detailed: CasError,
  configId: string,
  observed: ObservedClaims,
): CasError {
  if (detailed.code.startsWith('CAS_ATTESTATION_')) {
    return new CasError(
      'CAS_ATTESTATION_REFUSED',
      `attestation refused for ${configId}: the CAS observed ${describe(observed)}. If this ` +
        "workload should run, the session owner adds that measurement (and platform) to the service's " +
        'attestation and checks security.attestation.mode; the CAS log has the detailed reason',
      { details: { observed } },
    );
  }
  if (detailed.code === 'CAS_SESSION_UNKNOWN_OR_DENIED') {
    // Which part was unknown stays in the log: the caller is not authenticated.
    return new CasError('CAS_SESSION_UNKNOWN_OR_DENIED', detailed.message, {
      details: { observed },
    });
  }
  return new CasError(
    'CAS_ENCLAVE_CONFIGURATION_UNAVAILABLE',
    `the configuration of ${configId} cannot be rendered (a secret or placeholder of the session); ` +
      'the session owner finds the reason in the CAS log',
    { details: { observed } },
  );
}
