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
 */
export function attestationStrictEnough(
  exporterMode: AttestationMode,
  importerMode: AttestationMode,
  allowWeaker: boolean,
): boolean {
  return allowWeaker || STRICTNESS[importerMode] >= STRICTNESS[exporterMode];
}
