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

/** Loads SNP collateral (VCEK/VLEK, optionally ASK/ASVK/ARK) from a file or directory. */
export async function loadSnpCollateral(
  path: string | undefined,
  evidence: Uint8Array,
): Promise<SnpCollateral> {
  if (path === undefined) return { chain: [] };
  const certificates = (await filesOf(path)).flatMap((file) => certificatesIn(file.bytes));
  // An extended report carries its certificate table after the report; the report is first.
  return selectSnpChain(certificates, evidence.subarray(0, SNP_REPORT_SIZE));
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
  const snp = selectSnpChain(
    files.flatMap((file) => certificatesIn(file.bytes)),
    snpReport,
  );
  return { ...(hclReport === undefined ? {} : { hclReport }), snp };
}
