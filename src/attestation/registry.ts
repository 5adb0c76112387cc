import { CasError } from '../errors/cas-error.js';
import { sgxDcapVerifier } from './intel/sgx-verifier.js';
import { tdxVerifier } from './intel/tdx-verifier.js';
import { nitroVerifier } from './nitro/nitro-verifier.js';
import { simVerifier } from './sim/sim-verifier.js';
import { snpVerifier } from './snp/snp-verifier.js';
import { tpmVerifier } from './tpm/tpm-verifier.js';
import type { EvidenceType, Verifier } from './verifier.js';

/**
 * Evidence type → verifier. One line per type; a type without a line is refused (fail closed),
 * so a name that arrives over the wire can never select code that does not exist.
 */
const verifiers: Partial<Record<EvidenceType, Verifier<never>>> = {
  sim: simVerifier,
  'sgx-dcap': sgxDcapVerifier,
  tdx: tdxVerifier,
  snp: snpVerifier,
  nitro: nitroVerifier,
  tpm: tpmVerifier,
};

/**
 * The verifier for an evidence type named by a caller.
 *
 * @throws CAS_ATTESTATION_EVIDENCE_UNSUPPORTED for an unknown or not yet supported type.
 */
export function verifierFor(type: string): Verifier<never> {
  const verifier = Object.hasOwn(verifiers, type) ? verifiers[type as EvidenceType] : undefined;
  if (verifier === undefined) {
    throw new CasError(
      'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
      `evidence type "${type}" is not supported by this CAS`,
      { details: { type } },
    );
  }
  return verifier;
}
