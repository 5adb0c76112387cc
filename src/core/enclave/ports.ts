import type { Claims, Verifier } from '../../attestation/verifier.js';
import type { AttestationVariant, SecurityPolicy, Session } from '../../policy/types.js';
import type { CasLogger } from '../ports.js';

/** What the session store hands the enclave use case: the active session and its secrets. */
export interface ProvisioningRecord {
  readonly session: Session;
  readonly hash: string;
  /** The session's secret values, opaque here; only the renderer looks inside. */
  readonly values: unknown;
}

/** One file to materialise in the workload. */
export interface RenderedFile {
  readonly path: string;
  readonly mode: number;
  readonly content: string | Uint8Array;
}

/** A service's configuration with every placeholder rendered. */
export interface RenderedConfig {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly pwd?: string;
  readonly files: readonly RenderedFile[];
}

/** Input of the attestation matcher (the evidence engineers' `matchAttestation`). */
export interface MatchInput {
  readonly claims: Claims;
  readonly variants: readonly AttestationVariant[];
  readonly security: SecurityPolicy;
  readonly platforms?: readonly string[];
}

/** Enclave-API audit events (never a secret value). */
export interface EnclaveAuditEvent {
  readonly event: 'service_attested' | 'attestation_refused';
  readonly session?: string;
  readonly service?: string;
  readonly hash?: string;
  readonly measurement?: string;
  readonly reason?: string;
}

/** The ports of {@link attestWorkload}. */
export interface AttestWorkloadDeps {
  /** `loadForProvisioning(store, name)` bound to the store; null when the session is absent. */
  readonly loadForProvisioning: (sessionName: string) => Promise<ProvisioningRecord | null>;
  /** `renderService(session, service, values)`; throws a coded error for what cannot render. */
  readonly renderService: (
    session: Session,
    serviceName: string,
    values: unknown,
  ) => RenderedConfig | Promise<RenderedConfig>;
  readonly verifierFor: (type: string) => Verifier<never>;
  /**
   * Collateral for the evidence (none for `sim`): Intel collateral depends on the quote's TEE
   * and FMSPC and is read from files, hence the evidence and the promise.
   */
  readonly collateralFor?: (type: string, evidence: Uint8Array) => Promise<unknown>;
  /**
   * Matches claims against the service's variants; throws a `CAS_ATTESTATION_*` error when
   * nothing matches. Absent: `assertAttestationMatches` of `attestation/match`.
   */
  readonly matchAttestation?: (input: MatchInput) => unknown;
  readonly log: CasLogger;
  readonly audit?: (event: EnclaveAuditEvent) => Promise<void>;
  readonly now: () => Date;
}
