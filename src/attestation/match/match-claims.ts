/**
 * Matches verified claims against a service's attestation variants and the session's
 * `security.attestation` (`session-language.md`, "Attestation of services"): the mode decides
 * which evidence is acceptable at all, debug needs `debug-mode`, each TCB status category must
 * be tolerated, each advisory ignored, and then some variant must hold (variants OR, factors
 * AND). Pure: the result says why, for the CAS log; `observed` is what may go back to the caller.
 */
import { CasError } from '../../errors/cas-error.js';
import type { CasErrorCode } from '../../errors/codes.js';
import type { AttestationVariant, SecurityPolicy } from '../../policy/types.js';
import type { Claims, TcbStatus } from '../verifier.js';
import { variantMismatches } from './variant-factors.js';

/** What the CAS observed, safe to show to an unauthenticated caller (amendment 2). */
export interface ObservedAttestation {
  readonly type: string;
  readonly measurements: Readonly<Record<string, string>>;
  readonly tcb_status: TcbStatus;
  readonly advisory_ids: readonly string[];
  readonly debug: boolean;
  readonly platform_id?: string;
}

export type MatchResult =
  | { readonly ok: true; readonly variantIndex: number }
  | {
      readonly ok: false;
      readonly code: CasErrorCode;
      /** Observed vs expected, for the CAS log and the audit log only. */
      readonly reason: string;
      readonly observed: ObservedAttestation;
    };

export interface MatchAttestationInput {
  readonly claims: Claims;
  readonly variants: readonly AttestationVariant[];
  /** `security.attestation` (the whole `security` object is accepted too). */
  readonly security: SecurityPolicy['attestation'] | SecurityPolicy;
  readonly platforms?: readonly string[];
}

/** Tolerations each TCB status needs; null: never acceptable. */
const NEEDED: Record<TcbStatus, readonly string[] | null> = {
  UpToDate: [],
  NotApplicable: [],
  SWHardeningNeeded: ['software-hardening-needed'],
  ConfigurationNeeded: ['insecure-configuration'],
  ConfigurationAndSWHardeningNeeded: ['insecure-configuration', 'software-hardening-needed'],
  OutOfDate: ['outdated-tcb'],
  OutOfDateConfigurationNeeded: ['outdated-tcb', 'insecure-configuration'],
  Revoked: null,
};

function observedOf(claims: Claims): ObservedAttestation {
  const platformId = claims.extra['platform_id'];
  return {
    type: claims.type,
    measurements: claims.measurements,
    tcb_status: claims.tcb_status,
    advisory_ids: claims.advisory_ids,
    debug: claims.debug,
    ...(typeof platformId === 'string' ? { platform_id: platformId } : {}),
  };
}

/** The checks of `security.attestation` that do not depend on the variant; null when they pass. */
function securityRefusal(
  input: MatchAttestationInput,
  security: SecurityPolicy['attestation'],
): [CasErrorCode, string] | null {
  const { claims } = input;
  const tolerated = new Set(security.tolerate);
  if (claims.type === 'sim') {
    if (security.mode !== 'simulation') {
      return [
        'CAS_ATTESTATION_MODE_REFUSED',
        `simulated evidence, but the session's attestation mode is ${security.mode} (simulation needed)`,
      ];
    }
    const platformId = claims.extra['platform_id'];
    if (
      input.platforms !== undefined &&
      (typeof platformId !== 'string' || !input.platforms.includes(platformId))
    ) {
      return [
        'CAS_ATTESTATION_PLATFORM_REFUSED',
        `platform ${String(platformId)} is not among the service's platforms (${input.platforms.join(', ')})`,
      ];
    }
  }
  if (claims.debug && !tolerated.has('debug-mode')) {
    return [
      'CAS_ATTESTATION_DEBUG_REFUSED',
      `${claims.type} evidence from a debug enclave/guest; add debug-mode to security.attestation.tolerate to accept it`,
    ];
  }
  const needed = NEEDED[claims.tcb_status];
  if (needed === null)
    return [
      'CAS_ATTESTATION_TCB_NOT_TOLERATED',
      `TCB status ${claims.tcb_status} is never accepted`,
    ];
  const missing = needed.filter((category) => !tolerated.has(category));
  if (missing.length > 0) {
    return [
      'CAS_ATTESTATION_TCB_NOT_TOLERATED',
      `TCB status ${claims.tcb_status} needs tolerate: [${missing.join(', ')}] (tolerated: [${[...tolerated].join(', ')}])`,
    ];
  }
  const ignoreAll = security.ignore_advisories.includes('*') && tolerated.has('debug-mode');
  const unignored = ignoreAll
    ? []
    : claims.advisory_ids.filter((id) => !security.ignore_advisories.includes(id));
  if (unignored.length > 0) {
    return [
      'CAS_ATTESTATION_ADVISORY_NOT_IGNORED',
      `advisories ${unignored.join(', ')} are not in ignore_advisories [${security.ignore_advisories.join(', ')}]`,
    ];
  }
  return null;
}

/**
 * Matches claims against the variants and the security policy.
 * Mode `none` accepts anything (`variantIndex` -1: no variant was needed).
 */
export function matchAttestation(input: MatchAttestationInput): MatchResult {
  const security = 'attestation' in input.security ? input.security.attestation : input.security;
  if (security.mode === 'none') return { ok: true, variantIndex: -1 };
  const refuse = (code: CasErrorCode, reason: string): MatchResult => ({
    ok: false,
    code,
    reason,
    observed: observedOf(input.claims),
  });
  const refusal = securityRefusal(input, security);
  if (refusal !== null) return refuse(...refusal);
  if (input.variants.length === 0)
    return refuse('CAS_ATTESTATION_MEASUREMENT_MISMATCH', 'the service has no attestation variant');
  const reasons: string[] = [];
  for (const [index, variant] of input.variants.entries()) {
    const mismatches = variantMismatches(input.claims, variant);
    if (mismatches.length === 0) return { ok: true, variantIndex: index };
    reasons.push(`variant ${index}: ${mismatches.join('; ')}`);
  }
  return refuse(
    'CAS_ATTESTATION_MEASUREMENT_MISMATCH',
    `no attestation variant matches: ${reasons.join(' | ')}`,
  );
}

/**
 * {@link matchAttestation} for callers that want an exception: returns the matching variant's
 * index, or throws a CasError with the specific code, the reason as message and the observed
 * claims as details.
 */
export function assertAttestationMatches(input: MatchAttestationInput): number {
  const result = matchAttestation(input);
  if (result.ok) return result.variantIndex;
  throw new CasError(result.code, result.reason, { details: { observed: result.observed } });
}
