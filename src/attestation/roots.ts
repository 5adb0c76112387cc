import { createHash, X509Certificate } from 'node:crypto';
import { intelSgxRootCaPem } from './intel/intel-sgx-root.js';
import { awsNitroRootG1Pem } from './nitro/aws-nitro-root.js';
import {
  arkGenoaPem,
  arkMilanPem,
  arkTurinPem,
  askGenoaPem,
  askMilanPem,
  askTurinPem,
  asvkMilanPem,
} from './snp/amd-certificates.js';

/**
 * Vendor certificates built into the CAS, each pinned by the SHA-256 of its DER. A root that
 * arrives with evidence or collateral is used only when it is byte-equal to the built-in one;
 * nothing else can be a trust anchor. The table is checked when this module loads: a built-in
 * certificate whose DER does not hash to its pin stops the process (a corrupted build must not
 * start).
 *
 * One row per certificate: `id: { pem, sha256 }`. Verifiers look their anchor up by id.
 */
const table = {
  /** Intel SGX Root CA (2018-05-21..2049-12-31, P-256): SGX and TDX PCK chains, TCB signing. */
  'intel-sgx-root-ca': {
    pem: intelSgxRootCaPem,
    sha256: '44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3',
  },
  /** ARK-Milan (2020-10-22..2045-10-22, RSA-4096): root of Milan VCEK/VLEK chains. */
  'amd-ark-milan': {
    pem: arkMilanPem,
    sha256: '69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd',
  },
  /** SEV-Milan ASK, signed by ARK-Milan: issuer of Milan VCEKs. */
  'amd-ask-milan': {
    pem: askMilanPem,
    sha256: '67d303bd3905fd38db8b20e0793699870e7fa612eaad5dec358293fd8c0bac1b',
  },
  /** SEV-VLEK-Milan ASVK, signed by ARK-Milan: issuer of Milan VLEKs. */
  'amd-asvk-milan': {
    pem: asvkMilanPem,
    sha256: 'c5e081f59b7efab1fe2f8b505e159704e72f29cab7ef7cf628a05a42439082f5',
  },
  /** ARK-Genoa (2022-01-26..2047-01-26, RSA-4096): root of Genoa chains. */
  'amd-ark-genoa': {
    pem: arkGenoaPem,
    sha256: '4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1',
  },
  /** SEV-Genoa ASK, signed by ARK-Genoa. */
  'amd-ask-genoa': {
    pem: askGenoaPem,
    sha256: '5464738c1546aed5f2cecf1dc98c5c960a92e8913238a61711bc90ec6e828521',
  },
  /** ARK-Turin (2023-05-15..2048-05-15, RSA-4096): root of Turin chains. */
  'amd-ark-turin': {
    pem: arkTurinPem,
    sha256: '1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a',
  },
  /** SEV-Turin ASK, signed by ARK-Turin. */
  'amd-ask-turin': {
    pem: askTurinPem,
    sha256: '5b77ef5fe7a7a004fd9032668fba9d0fda22f88c4442069a479636a6ae3b3185',
  },
  /** AWS Nitro Enclaves Root G1 (2019-10-28..2049-10-28, P-384): root of Nitro documents. */
  'aws-nitro-root-g1': {
    pem: awsNitroRootG1Pem,
    sha256: '641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b',
  },
} as const satisfies Record<string, { readonly pem: string; readonly sha256: string }>;

/** Ids of the built-in certificates. */
export type PinnedCertificateId = keyof typeof table;

const derById = new Map<PinnedCertificateId, Uint8Array>();
for (const [id, row] of Object.entries(table) as [
  PinnedCertificateId,
  (typeof table)[PinnedCertificateId],
][]) {
  const der = new Uint8Array(new X509Certificate(row.pem).raw);
  if (sha256Hex(der) !== row.sha256) {
    throw new Error(
      `Built-in certificate ${id} does not match its pinned SHA-256; refusing to start.`,
    );
  }
  derById.set(id, der);
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The DER of a built-in certificate (already checked against its pin). */
export function pinnedDer(id: PinnedCertificateId): Uint8Array {
  const der = derById.get(id);
  if (der === undefined) throw new Error(`No built-in certificate ${id}.`);
  return der;
}

/** The pinned SHA-256 (lowercase hex) of a built-in certificate. */
export function pinnedSha256(id: PinnedCertificateId): string {
  return table[id].sha256;
}

/** True when `der` is byte-equal to the built-in certificate `id`. */
export function isPinned(id: PinnedCertificateId, der: Uint8Array): boolean {
  return sha256Hex(der) === table[id].sha256;
}
