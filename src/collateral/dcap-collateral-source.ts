import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { IntelCollateral } from '../attestation/intel/collateral.js';
import { dcapCollateralKey, type DcapCollateralKey } from '../attestation/intel/collateral-key.js';
import { parseCrl } from '../attestation/intel/crl.js';
import { readDer } from '../encoding/der-reader.js';
import { commonName } from '../attestation/intel/x509.js';
import { CasError } from '../errors/cas-error.js';
import { CollateralFileCache } from './collateral-file-cache.js';
import { parseDcapCollateralJson } from './dcap-collateral-json.js';
import { collateralFromPcsFiles } from './pcs-files.js';

/** Where Intel DCAP collateral comes from (a directory, later a PCCS). */
export interface DcapCollateralSource {
  /** @throws CAS_ATTESTATION_COLLATERAL_MISSING when the source has none for the key. */
  collateralFor(key: DcapCollateralKey): Promise<IntelCollateral>;
}

/** What a collateral file is for, read without verifying it (the verifier does that). */
interface Indexed {
  readonly path: string;
  readonly collateral: IntelCollateral;
  readonly key: DcapCollateralKey;
  readonly evaluation: number;
}

function describe(path: string, collateral: IntelCollateral): Indexed | null {
  try {
    const info = JSON.parse(Buffer.from(collateral.tcbInfo).toString('utf8')) as Record<
      string,
      unknown
    >;
    const crl = parseCrl(collateral.pckCrl);
    const issuer = commonName(
      readDer(crl.issuerDer, 0, 'CAS_ATTESTATION_CRL_INVALID'),
      'CAS_ATTESTATION_CRL_INVALID',
    );
    const id = info['id'];
    const fmspc = info['fmspc'];
    const evaluation = info['tcbEvaluationDataNumber'];
    if (
      (id !== 'SGX' && id !== 'TDX') ||
      typeof fmspc !== 'string' ||
      typeof evaluation !== 'number'
    )
      return null;
    return {
      path,
      collateral,
      key: {
        tee: id === 'SGX' ? 'sgx' : 'tdx',
        fmspc: fmspc.toLowerCase(),
        pckCa: issuer === 'Intel SGX PCK Processor CA' ? 'processor' : 'platform',
      },
      evaluation,
    };
  } catch {
    return null;
  }
}

/**
 * A directory of collateral files in the `QuoteCollateralV3` JSON layout of the test vectors
 * (`*.json`, one per FMSPC and TEE). The file for a quote is the one whose TCB info has the
 * quote's TEE and FMSPC and whose PCK CRL is from the quote's PCK CA; of several, the one with
 * the highest `tcbEvaluationDataNumber`. Without such a file, the collateral is assembled from
 * raw Intel PCS responses in the same directory ({@link collateralFromPcsFiles}). The directory
 * is listed on each call and a file re-read only when it changed (`files`), so an operator can
 * drop in fresh collateral without a restart.
 */
export function directoryDcapCollateralSource(
  dir: string,
  files = new CollateralFileCache(),
): DcapCollateralSource {
  return {
    async collateralFor(key) {
      let names: string[];
      try {
        names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
      } catch (cause) {
        throw new CasError(
          'CAS_ATTESTATION_COLLATERAL_MISSING',
          `The collateral directory ${dir} cannot be read.`,
          { cause, details: { path: dir } },
        );
      }
      let best: Indexed | null = null;
      for (const name of names) {
        const path = join(dir, name);
        let found: Indexed | null;
        try {
          found = await files.read('dcap-json', path, (bytes) => {
            try {
              return describe(path, parseDcapCollateralJson(bytes.toString('utf8')));
            } catch {
              return null; // not a collateral file (a raw PCS response, notes...)
            }
          });
        } catch {
          continue; // gone or unreadable since the listing
        }
        if (
          found === null ||
          found.key.tee !== key.tee ||
          found.key.fmspc !== key.fmspc ||
          found.key.pckCa !== key.pckCa
        )
          continue;
        if (best === null || found.evaluation > best.evaluation) best = found;
      }
      if (best !== null) return best.collateral;
      const assembled = await collateralFromPcsFiles(dir, key, files);
      if (assembled === undefined) {
        throw new CasError(
          'CAS_ATTESTATION_COLLATERAL_MISSING',
          `No collateral in ${dir} for ${key.tee.toUpperCase()} FMSPC ${key.fmspc} (PCK ${key.pckCa} CA).`,
          {
            details: { path: dir, ...key },
          },
        );
      }
      return assembled;
    },
  };
}

/**
 * Loads the collateral of a quote from a path: a collateral JSON file, or a directory searched
 * as {@link directoryDcapCollateralSource} does. `files` keeps what was parsed for the next
 * call (a fresh one reads everything).
 */
export async function loadDcapCollateral(
  path: string,
  evidence: Uint8Array,
  files = new CollateralFileCache(),
): Promise<IntelCollateral> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (cause) {
    throw new CasError(
      'CAS_ATTESTATION_COLLATERAL_MISSING',
      `The collateral ${path} cannot be read.`,
      { cause, details: { path } },
    );
  }
  if (isDir) {
    return directoryDcapCollateralSource(path, files).collateralFor(dcapCollateralKey(evidence));
  }
  // The outcome of the parse is kept too: an unchanged malformed file fails the same way.
  let parsed: { collateral: IntelCollateral } | { error: unknown };
  try {
    parsed = await files.read('dcap-json-file', path, (bytes) => {
      try {
        return { collateral: parseDcapCollateralJson(bytes.toString('utf8')) };
      } catch (error) {
        return { error };
      }
    });
  } catch (cause) {
    throw new CasError(
      'CAS_ATTESTATION_COLLATERAL_MISSING',
      `The collateral ${path} cannot be read.`,
      { cause, details: { path } },
    );
  }
  if ('error' in parsed) throw parsed.error;
  return parsed.collateral;
}
