/**
 * Collateral for `snp` and `tpm` evidence from a file or directory (`scone evidence verify
 * --collateral`): certificates as PEM (one or many) or DER, and for `tpm` the Azure HCL report.
 * A directory may hold the certificates of several chips and products; the loader picks the
 * VCEK/VLEK whose key signs the report and only the ASK/ASVK and ARK above it. Picking is a
 * convenience: the verifier checks everything again against its pinned roots.
 */
import { verify, X509Certificate } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pemCertificates } from '../attestation/pki/certificate.js';
import type { SnpCollateral } from '../attestation/snp/amd-chain.js';
import { parseSnpReport } from '../attestation/snp/snp-report.js';
import { parseHclReport } from '../attestation/tpm/hcl-report.js';
import type { TpmCollateral } from '../attestation/tpm/tpm-verifier.js';
import { parseVtpmEvidence } from '../attestation/tpm/vtpm-evidence.js';
import { CasError } from '../errors/cas-error.js';

const HCL_OFFSET_OF_SNP = 0x20;
const MAX_FILE = 1024 * 1024;

interface Certificate {
  readonly der: Uint8Array;
  readonly x509: X509Certificate;
}

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

/** Certificates in a file's bytes (PEM blocks, or one DER certificate); none when it is neither. */
function certificatesIn(bytes: Uint8Array): Certificate[] {
  const text = Buffer.from(bytes).toString('latin1');
  const ders = text.includes('-----BEGIN CERTIFICATE-----') ? pemCertificates(text) : [bytes];
  const out: Certificate[] = [];
  for (const der of ders) {
    try {
      out.push({ der, x509: new X509Certificate(der) });
    } catch {
      // Not a certificate (the report itself, a README): a directory may hold anything.
    }
  }
  return out;
}

const commonName = (name: string): string =>
  name
    .split('\n')
    .find((line) => line.startsWith('CN='))
    ?.slice(3) ?? '';

/** The VCEK/VLEK whose key verifies the report, and the ASK/ASVK and ARK above it. */
function pickChain(certificates: readonly Certificate[], report: Uint8Array | null): SnpCollateral {
  const leaves = certificates.filter((c) =>
    ['SEV-VCEK', 'SEV-VLEK'].includes(commonName(c.x509.subject)),
  );
  let leaf = leaves.length === 1 ? leaves[0] : undefined;
  if (report !== null && leaves.length > 0) {
    try {
      const parsed = parseSnpReport(report);
      leaf =
        leaves.find((c) =>
          verify(
            'sha384',
            parsed.signed,
            { key: c.x509.publicKey, dsaEncoding: 'ieee-p1363' },
            parsed.signature,
          ),
        ) ?? leaf;
    } catch {
      // A report that does not parse: the verifier will say why.
    }
  }
  if (leaf === undefined) return { chain: [] };
  const intermediate = certificates.find((c) => c.x509.subject === leaf.x509.issuer && c !== leaf);
  const root =
    intermediate === undefined
      ? undefined
      : certificates.find((c) => c.x509.subject === intermediate.x509.issuer);
  return {
    endorsementKey: leaf.der,
    chain: [intermediate, root].filter((c): c is Certificate => c !== undefined).map((c) => c.der),
  };
}

/** Loads SNP collateral (VCEK/VLEK, optionally ASK/ASVK/ARK) from a file or directory. */
export async function loadSnpCollateral(
  path: string | undefined,
  evidence: Uint8Array,
): Promise<SnpCollateral> {
  if (path === undefined) return { chain: [] };
  const certificates = (await filesOf(path)).flatMap((file) => certificatesIn(file.bytes));
  return pickChain(certificates, evidence);
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
      : hclReport.subarray(HCL_OFFSET_OF_SNP, HCL_OFFSET_OF_SNP + 0x4a0);
  const snp = pickChain(
    files.flatMap((file) => certificatesIn(file.bytes)),
    snpReport,
  );
  return { ...(hclReport === undefined ? {} : { hclReport }), snp };
}
