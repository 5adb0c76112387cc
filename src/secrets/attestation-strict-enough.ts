import type { AttestationMode } from '../policy/types.js';

/** How strictly each mode attests: real evidence > simulated evidence > none. */
const STRICTNESS: Readonly<Record<AttestationMode, number>> = {
  hardware: 2,
  simulation: 1,
  none: 0,
};

/**
 * Amendment 6 of architecture.md: an imported secret is provisioned only to a service
 * attested at least as strictly as the exporting session's mode, unless the export target says
 * `allow_weaker_attestation: true`.
 *
 * @param exporterMode the exporting session's `security.attestation.mode`.
 * @param attestedAs how this workload was actually attested: `hardware` for verified TEE
 *   evidence, `simulation` for `sim` evidence, `none` when no evidence was checked (so a
 *   simulation-mode importer that presented real evidence still gets hardware-only secrets).
 * @param allowWeaker the export target's `allow_weaker_attestation`.
 */
export function attestationStrictEnough(
  exporterMode: AttestationMode,
  attestedAs: AttestationMode,
  allowWeaker: boolean,
): boolean {
  return allowWeaker || STRICTNESS[attestedAs] >= STRICTNESS[exporterMode];
}
