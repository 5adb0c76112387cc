/**
 * Picks, from certificates of unknown roles (a directory, an extended report's certificate
 * table), the VCEK/VLEK whose key signs the report and only the ASK/ASVK and ARK above it.
 * Anything else (other chips, other products, blobs that are not certificates) is left out:
 * picking is a convenience, and `verifyAmdChain` checks the result against the pinned roots.
 */
import { verify, X509Certificate } from 'node:crypto';
import type { SnpCollateral } from './amd-chain.js';
import { parseSnpReport } from './snp-report.js';

interface Candidate {
  readonly der: Uint8Array;
  readonly x509: X509Certificate;
}

const commonName = (name: string): string =>
  name
    .split('\n')
    .find((line) => line.startsWith('CN='))
    ?.slice(3) ?? '';

function candidatesOf(ders: readonly Uint8Array[]): Candidate[] {
  const out: Candidate[] = [];
  for (const der of ders) {
    try {
      out.push({ der, x509: new X509Certificate(der) });
    } catch {
      // Not a certificate: not a candidate.
    }
  }
  return out;
}

function signs(candidate: Candidate, report: ReturnType<typeof parseSnpReport>): boolean {
  try {
    const key = candidate.x509.publicKey;
    return verify('sha384', report.signed, { key, dsaEncoding: 'ieee-p1363' }, report.signature);
  } catch {
    return false;
  }
}

/** The VCEK/VLEK that signs `report` (or the only one) and its ASK/ASVK and ARK, when present. */
export function selectSnpChain(
  ders: readonly Uint8Array[],
  report: Uint8Array | null,
): SnpCollateral {
  const candidates = candidatesOf(ders);
  const leaves = candidates.filter((c) =>
    ['SEV-VCEK', 'SEV-VLEK'].includes(commonName(c.x509.subject)),
  );
  let leaf = leaves.length === 1 ? leaves[0] : undefined;
  if (report !== null && leaves.length > 1) {
    try {
      const parsed = parseSnpReport(report);
      leaf = leaves.find((candidate) => signs(candidate, parsed)) ?? leaf;
    } catch {
      // A report that does not parse: the verifier will say why.
    }
  }
  if (leaf === undefined) return { chain: [] };
  const intermediate = candidates.find((c) => c !== leaf && c.x509.subject === leaf.x509.issuer);
  const root =
    intermediate === undefined
      ? undefined
      : candidates.find(
          (c) => c.x509.subject === intermediate.x509.issuer && c.x509.subject === c.x509.issuer,
        );
  return {
    endorsementKey: leaf.der,
    chain: [intermediate, root].filter((c): c is Candidate => c !== undefined).map((c) => c.der),
  };
}
