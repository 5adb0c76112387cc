import type { EvidenceType } from '../attestation/verifier.js';
import { CasError } from '../errors/cas-error.js';
import { loadSnpCollateral, loadTpmCollateral } from './amd-collateral-source.js';
import type { CollateralFileCache } from './collateral-file-cache.js';
import { loadDcapCollateral } from './dcap-collateral-source.js';

/**
 * Loads the collateral a verifier needs from what the user named with `--collateral` (a file
 * or a directory; undefined when not given). The evidence is passed so a directory can be
 * searched for the right file.
 */
export type CollateralLoader = (path: string | undefined, evidence: Uint8Array) => Promise<unknown>;

/**
 * The loader of Intel DCAP collateral; with `files`, what it parsed is kept across calls until
 * a file changes (a long-running CAS), without it every call reads afresh (one CLI run).
 */
export function dcapCollateralLoader(files?: CollateralFileCache): CollateralLoader {
  return async (path, evidence) => {
    if (path === undefined) {
      throw new CasError(
        'CAS_ATTESTATION_COLLATERAL_MISSING',
        'Intel quotes need collateral: give --collateral FILE|DIR (TCB info, QE identity, CRLs).',
      );
    }
    return await loadDcapCollateral(path, evidence, files);
  };
}

const dcap = dcapCollateralLoader();

/** No collateral: the evidence carries its chain (Nitro) or the type has none yet. */
const none: CollateralLoader = () => Promise.resolve(undefined);

/**
 * Collateral loading per evidence type, for `scone evidence verify` (one line per type; a type
 * without a line gets no collateral).
 */
export const collateralLoaders: Partial<Record<EvidenceType, CollateralLoader>> = {
  'sgx-dcap': dcap,
  tdx: dcap,
  nitro: none,
  // SNP: --collateral is the VCEK/VLEK (PEM or DER) or a directory holding it, optionally with
  // the ASK/ASVK and ARK; the ARK is used only when it equals the pinned one.
  snp: loadSnpCollateral,
  // TPM (Azure vTPM): the HCL report and the VCEK chain, unless the evidence JSON carries them.
  tpm: loadTpmCollateral,
};
