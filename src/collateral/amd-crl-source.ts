import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AmdRevocation } from '../attestation/snp/amd-crl.js';
import { CasError } from '../errors/cas-error.js';
import { crlsIn } from './amd-collateral-source.js';
import { CollateralFileCache } from './collateral-file-cache.js';

/**
 * AMD's CRLs from the owner config's `[snp] crl_dir`: every file of the directory that is a
 * CRL (DER as the KDS serves it, or PEM); other files are skipped. The directory is listed on
 * every attestation and changed files are re-read, so a fresh CRL an operator drops in applies
 * at once. An unreadable directory is a refusal, not "no revocation": the owner asked for the
 * check. With no CRL of the report's product in it, the verifier refuses the report too.
 * @throws CasError `CAS_ATTESTATION_COLLATERAL_MISSING` when the directory cannot be listed.
 */
export async function loadAmdRevocation(
  dir: string,
  files = new CollateralFileCache(),
): Promise<AmdRevocation> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (cause) {
    throw new CasError(
      'CAS_ATTESTATION_COLLATERAL_MISSING',
      `The AMD CRL directory ${dir} ([snp] crl_dir) cannot be read.`,
      { cause, details: { path: dir } },
    );
  }
  const crls: Uint8Array[] = [];
  for (const name of names) {
    try {
      crls.push(...(await files.read('amd-crl', join(dir, name), crlsIn)));
    } catch {
      continue; // a subdirectory, or gone or unreadable since the listing
    }
  }
  return { crls };
}
