/**
 * Collateral for `snp` and `tpm` evidence from a file or directory (`scone evidence verify
 * --collateral`): certificates as PEM (one or many) or DER, and for `tpm` the Azure HCL report.
 * A directory may hold the certificates of several chips and products; the loader picks the
 * VCEK/VLEK whose key signs the report and only the ASK/ASVK and ARK above it. Picking is a
 * convenience: the verifier checks everything again against its pinned roots.
 */
import { verify } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCrl } from '../attestation/intel/crl.js';
import { fromPem } from '../encoding/pem.js';
import { pemCertificates } from '../attestation/pki/certificate.js';
import type { SnpCollateral } from '../attestation/snp/amd-chain.js';
import { selectSnpChain } from '../attestation/snp/select-chain.js';
import { SNP_REPORT_SIZE } from '../attestation/snp/snp-report.js';
import { parseHclReport } from '../attestation/tpm/hcl-report.js';
import type { TpmCollateral } from '../attestation/tpm/tpm-verifier.js';
import { parseVtpmEvidence } from '../attestation/tpm/vtpm-evidence.js';
import { CasError } from '../errors/cas-error.js';

const HCL_OFFSET_OF_SNP = 0x20;
const MAX_FILE = 1024 * 1024;

async function filesOf(path: string): Promise<{ path: string; bytes: Uint8Array }[]> {
  let paths: string[];
  try {
    const info = await stat(path);
    paths = info.isDirectory()
      ? (await readdir(path)).sort().map((name) => join(path, name))
      : [path];
  } catch (cause) {
    throw new CasError(
      'CAS_ATTESTATION_COLLATERAL_MISSING',
      `cannot read the collateral at ${path}`,
      {
        cause,
        details: { path },
      },
    );
  }
  const files: { path: string; bytes: Uint8Array }[] = [];
  for (const file of paths) {
    const info = await stat(file);
    if (info.isFile() && info.size <= MAX_FILE)
      files.push({ path: file, bytes: new Uint8Array(await readFile(file)) });
  }
  return files;
}

/**
 * Candidate certificates in a file's bytes: its PEM blocks, or the file as one DER blob. Blobs
 * that are not certificates (the report itself, a README) are dropped by the selection.
 */
function certificatesIn(bytes: Uint8Array): Uint8Array[] {
  const text = Buffer.from(bytes).toString('latin1');
  return text.includes('-----BEGIN CERTIFICATE-----') ? pemCertificates(text) : [bytes];
}

/** The CRLs in a file's bytes: its `X509 CRL` PEM blocks, or the file when it is a DER CRL. */
export function crlsIn(bytes: Uint8Array): Uint8Array[] {
  const blocks = fromPem(Buffer.from(bytes).toString('latin1'), 'X509 CRL');
  if (blocks.length > 0) return blocks;
  try {
    parseCrl(bytes);
    // a plain Uint8Array view, whether the file came as a Buffer or not
    return [new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)];
  } catch {
    return [];
  }
}

/**
 * SNP collateral from files: the chain picked for the report, and, when any file holds a CRL,
 * every CRL found, which turns revocation checking on (the verifier then needs the product's).
 */
function snpCollateralFrom(
  files: readonly { bytes: Uint8Array }[],
  report: Uint8Array | null,
): SnpCollateral {
  const chain = selectSnpChain(
    files.flatMap((file) => certificatesIn(file.bytes)),
    report,
  );
  const crls = files.flatMap((file) => crlsIn(file.bytes));
  return crls.length === 0 ? chain : { ...chain, revocation: { crls } };
}

/**
 * Loads SNP collateral (VCEK/VLEK, optionally ASK/ASVK/ARK, and AMD CRLs) from a file or
 * directory.
 */
export async function loadSnpCollateral(
  path: string | undefined,
  evidence: Uint8Array,
): Promise<SnpCollateral> {
  if (path === undefined) return { chain: [] };
  // An extended report carries its certificate table after the report; the report is first.
  return snpCollateralFrom(await filesOf(path), evidence.subarray(0, SNP_REPORT_SIZE));
}

function quoteVerifiedBy(hcl: Uint8Array, evidence: Uint8Array): boolean {
  try {
    const quote = parseVtpmEvidence(evidence);
    return verify('sha256', quote.message, parseHclReport(hcl).attestationKey, quote.signature);
  } catch {
    return false;
  }
}

/**
 * Loads `tpm` collateral: the HCL report (a file starting with "HCLA"; in a directory, the one
 * whose attestation key signs the quote) and the AMD certificates.
 */
export async function loadTpmCollateral(
  path: string | undefined,
  evidence: Uint8Array,
): Promise<TpmCollateral> {
  if (path === undefined) return {};
  const files = await filesOf(path);
  const reports = files.filter(
    (file) => Buffer.from(file.bytes.subarray(0, 4)).toString('latin1') === 'HCLA',
  );
  const hclReport = (reports.find((file) => quoteVerifiedBy(file.bytes, evidence)) ?? reports[0])
    ?.bytes;
  const snpReport =
    hclReport === undefined
      ? null
      : hclReport.subarray(HCL_OFFSET_OF_SNP, HCL_OFFSET_OF_SNP + SNP_REPORT_SIZE);
  const snp = snpCollateralFrom(files, snpReport);
  return { ...(hclReport === undefined ? {} : { hclReport }), snp };
}
