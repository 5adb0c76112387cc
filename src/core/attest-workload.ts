import { assertAttestationMatches } from '../attestation/match/match-claims.js';
import type { Claims } from '../attestation/verifier.js';
import { workloadBinding } from '../crypto/workload-binding.js';
import { CasError, isCasError } from '../errors/cas-error.js';
import { splitConfigId } from '../policy/session-name.js';
import type { Service, Session } from '../policy/types.js';
import type { AttestWorkloadDeps, RenderedConfig } from './enclave/ports.js';
import { observedOf, refusalFor, type ObservedClaims } from './enclave/refusal.js';

/** One attestation request, with the facts of the TLS connection it came on. */
export interface AttestWorkloadInput {
  /** `SCONE_CONFIG_ID`: `<session path>/<service>`. */
  readonly configId: string;
  /** Absent when the launcher has none (accepted only by `mode: none` sessions). */
  readonly evidence?: { readonly type: string; readonly data: Uint8Array };
  /** The nonce this connection held (already consumed: single use). */
  readonly nonce: Uint8Array;
  /** SPKI DER of the TLS client certificate of this connection. */
  readonly peerSpki: Uint8Array;
}

/** What a successfully attested workload receives. */
export interface ProvisionedConfig extends RenderedConfig {
  readonly session: string;
  readonly service: string;
  /** True when the configuration was released on simulated (or no) evidence. */
  readonly simulation: boolean;
  readonly warnings: readonly string[];
}

function unknownOrDenied(configId: string, why: string): CasError {
  return new CasError(
    'CAS_SESSION_UNKNOWN_OR_DENIED',
    `no configuration for ${configId}: the session or service does not exist, or is not available to this workload`,
    { details: { reason: why } },
  );
}

/**
 * The enclave use case: verifies the workload's evidence (signature, binding to this
 * connection's nonce and client key), checks it against the service (attestation mode,
 * platforms, measurement variants), and returns the rendered configuration. Every outcome is
 * logged with session, service, measurement and reason (never a secret); refusals go back as
 * one coded category with the observed claims only (amendment 2).
 *
 * @throws CasError `CAS_ATTESTATION_REFUSED`, `CAS_SESSION_UNKNOWN_OR_DENIED` or
 *   `CAS_ENCLAVE_CONFIGURATION_UNAVAILABLE`
 */
export async function attestWorkload(
  deps: AttestWorkloadDeps,
  input: AttestWorkloadInput,
): Promise<ProvisionedConfig> {
  const ids = splitConfigId(input.configId);
  let claims: Claims | undefined;
  let hash: string | undefined;
  const evidenceType = input.evidence?.type ?? 'none';
  try {
    if (ids === null) throw unknownOrDenied(input.configId, 'malformed config id');
    claims = await verifyEvidence(deps, input);
    const record = await deps.loadForProvisioning(ids.session);
    if (record === null) throw unknownOrDenied(input.configId, 'no such session');
    hash = record.hash;
    const service = record.session.services.find((s) => s.name === ids.service);
    if (service === undefined) throw unknownOrDenied(input.configId, 'no such service');
    const warnings = checkPolicy(deps, record.session, service, claims, evidenceType);
    const rendered = await deps.renderService(record.session, service.name, record.values);
    if (record.session.security.attestation.mode === 'none') {
      deps.log.warn(
        { event: 'service_attested', session: ids.session, service: ids.service, mode: 'none' },
        'configuration released WITHOUT attestation (security.attestation.mode: none)',
      );
    }
    deps.log.info(
      {
        event: 'service_attested',
        session: ids.session,
        service: ids.service,
        session_hash: hash,
        evidence_type: evidenceType,
        measurement: claims?.measurements,
        platform_id: claims?.extra['platform_id'],
        mode: record.session.security.attestation.mode,
      },
      'workload attested and provisioned',
    );
    await deps.audit?.({
      event: 'service_attested',
      session: ids.session,
      service: ids.service,
      hash,
      ...measurementOf(claims),
    });
    return {
      ...rendered,
      session: ids.session,
      service: ids.service,
      simulation: claims === undefined || claims.type === 'sim',
      warnings,
    };
  } catch (error) {
    if (!isCasError(error)) throw error;
    const observed: ObservedClaims = observedOf(evidenceType, claims);
    deps.log.warn(
      {
        event: 'attestation_refused',
        config_id: input.configId,
        ...(ids === null ? {} : { session: ids.session, service: ids.service }),
        session_hash: hash,
        observed,
        reason: error.code,
        detail: error.message,
        ...(error.details === undefined ? {} : { details: error.details }),
      },
      'workload refused',
    );
    await deps.audit?.({
      event: 'attestation_refused',
      ...(ids === null ? {} : { session: ids.session, service: ids.service }),
      ...(hash === undefined ? {} : { hash }),
      ...measurementOf(claims),
      reason: error.code,
    });
    throw refusalFor(error, input.configId, observed);
  }
}

function measurementOf(claims: Claims | undefined): { measurement?: string } {
  const m = claims?.measurements['mrenclave'] ?? Object.values(claims?.measurements ?? {})[0];
  return m === undefined ? {} : { measurement: m };
}

async function verifyEvidence(
  deps: AttestWorkloadDeps,
  input: AttestWorkloadInput,
): Promise<Claims | undefined> {
  if (input.evidence === undefined) return undefined;
  const verifier = deps.verifierFor(input.evidence.type);
  return verifier.verify({
    evidence: input.evidence.data,
    collateral: (await deps.collateralFor?.(input.evidence.type, input.evidence.data)) as never,
    now: deps.now(),
    expectedReportData: workloadBinding(input.nonce, input.peerSpki),
  });
}

/** Mode, platform and measurement checks; returns the warnings to pass on. */
function checkPolicy(
  deps: AttestWorkloadDeps,
  session: Session,
  service: Service,
  claims: Claims | undefined,
  evidenceType: string,
): string[] {
  const mode = session.security.attestation.mode;
  if (mode === 'none') {
    return [
      'security.attestation.mode is none: this configuration was released without attestation ' +
        'to whoever asked for it',
    ];
  }
  if (claims === undefined) {
    throw new CasError(
      'CAS_ATTESTATION_MODE_REFUSED',
      `mode ${mode} needs evidence, none was sent`,
    );
  }
  // Mode, platforms, debug, TCB status, advisories, then the variants (OR of ANDed factors).
  const match = deps.matchAttestation ?? assertAttestationMatches;
  match({
    claims,
    variants: service.attestation,
    security: session.security,
    ...(service.platforms === undefined ? {} : { platforms: service.platforms }),
  });
  return claims.type === 'sim'
    ? [
        `provisioned on simulated (${evidenceType}) evidence: this proves nothing against an attacker`,
      ]
    : [];
}
