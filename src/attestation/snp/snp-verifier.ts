/**
 * The AMD SEV-SNP verifier: an attestation report signed by a VCEK or VLEK whose chain ends at
 * the pinned ARK of its product. Beyond the signatures it enforces the rules that are easy to
 * get wrong (`architecture.md`, "Evidence types"): the reported TCB must be the TCB the key was
 * issued for, the chip id must be the VCEK's, a guest that allows a migration agent is refused,
 * the VMPL must be the expected one, and a debug policy is refused unless allowed.
 */
import { verify } from 'node:crypto';
import { CasError } from '../../errors/cas-error.js';
import type { Claims, Verifier, VerifyRequest } from '../verifier.js';
import { verifyAmdChain, type SnpCollateral } from './amd-chain.js';
import { checkEndorsement, checkGuest } from './snp-checks.js';
import { parseSnpCertificateTable } from './cert-table.js';
import { selectSnpChain } from './select-chain.js';
import { SNP_REPORT_SIZE, parseSnpReport, type SnpReport } from './snp-report.js';
import { decodeTcb, productOfCpuid, tcbBelow, type SnpProduct, type SnpTcb } from './snp-tcb.js';

/** Deployment choices of the SNP verifier. */
export interface SnpVerifierOptions {
  /** The product the report must come from; default: whatever the chain and CPUID say. */
  readonly product?: SnpProduct;
  /** The VMPL the report must have been requested at (default 0, the most privileged). */
  readonly vmpl?: number;
  /** The lowest acceptable reported TCB; below it the status is `OutOfDate`. */
  readonly minimumTcb?: Partial<SnpTcb>;
  /**
   * Per-product minimums (SVN numbering differs between generations); for a product listed
   * here this wins over `minimumTcb`.
   */
  readonly minimumTcbByProduct?: Partial<Record<SnpProduct, Partial<SnpTcb>>>;
}

/** Inputs of {@link verifySnpReport}: a verify request for SNP evidence plus the options. */
export type SnpVerifyInput = VerifyRequest<SnpCollateral> & {
  readonly options?: SnpVerifierOptions;
};

/** A verified report with its claims, for evidence types that embed SNP (the Azure vTPM). */
export interface VerifiedSnpReport {
  readonly report: SnpReport;
  readonly claims: Claims;
}

/** A report and a certificate table of a few certificates fit easily. */
const MAX_EVIDENCE = 64 * 1024;
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function checkSignature(report: SnpReport, leaf: ReturnType<typeof verifyAmdChain>['leaf']): void {
  const key = leaf.x509.publicKey;
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'secp384r1') {
    throw new CasError(
      'CAS_ATTESTATION_CHAIN_INVALID',
      `The ${leaf.label} key is not an ECDSA P-384 key.`,
      {
        details: { certificate: leaf.label },
      },
    );
  }
  const valid = verify(
    'sha384',
    report.signed,
    { key, dsaEncoding: 'ieee-p1363' },
    report.signature,
  );
  if (!valid) {
    throw new CasError(
      'CAS_ATTESTATION_SIGNATURE_INVALID',
      `The SNP report signature does not verify with the ${leaf.label} key.`,
    );
  }
}

/** A v3+ report names its CPU; it must be of the product whose ARK signed the chain. */
function checkCpuid(report: SnpReport, product: SnpProduct): void {
  if (report.cpuid !== null && report.cpuid.family !== 0) {
    const named = productOfCpuid(report.cpuid.family, report.cpuid.model);
    if (named !== product) {
      throw new CasError(
        'CAS_ATTESTATION_SNP_PRODUCT_MISMATCH',
        `The SNP report CPUID (family 0x${report.cpuid.family.toString(16)}, model 0x${report.cpuid.model.toString(16)}) is not a ${product}.`,
        {
          details: {
            family: report.cpuid.family,
            model: report.cpuid.model,
            product,
          },
        },
      );
    }
  }
}

/** The normalised claims of a verified report. */
function claimsOf(
  report: SnpReport,
  facts: {
    readonly product: SnpProduct;
    readonly reportedTcb: SnpTcb;
    readonly debug: boolean;
    /** Components below the minimum TCB; null when no minimum applies. */
    readonly below: readonly string[] | null;
  },
): Claims {
  const { product, reportedTcb, debug, below } = facts;
  return {
    type: 'snp',
    report_data: hex(report.reportData),
    measurements: { measurement: hex(report.measurement), host_data: hex(report.hostData) },
    tcb_status: below === null ? 'NotApplicable' : below.length === 0 ? 'UpToDate' : 'OutOfDate',
    advisory_ids: [],
    debug,
    extra: {
      family: product,
      chip_id: hex(report.chipId),
      reported_tcb: reportedTcb,
      vmpl: report.vmpl,
      policy: `0x${report.policy.toString(16)}`,
      guest_svn: report.guestSvn,
      signing_key: report.signingKey,
      version: report.version,
      family_id: hex(report.familyId),
      image_id: hex(report.imageId),
      id_key_digest: hex(report.idKeyDigest),
      author_key_digest: hex(report.authorKeyDigest),
      report_id: hex(report.reportId),
      platform_info: `0x${report.platformInfo.toString(16)}`,
      firmware_version: report.currentVersion,
      ...(below === null || below.length === 0 ? {} : { tcb_below_minimum: below }),
    },
  };
}

/**
 * Evidence may be an extended report: the report followed by its certificate table. The
 * table's VCEK/VLEK is used when the collateral has none, and its ASK/ARK join the chain.
 */
function withCertificateTable(collateral: SnpCollateral, evidence: Uint8Array): SnpCollateral {
  if (evidence.length <= SNP_REPORT_SIZE) return collateral;
  const table = parseSnpCertificateTable(evidence.subarray(SNP_REPORT_SIZE));
  const picked = selectSnpChain(table, evidence.subarray(0, SNP_REPORT_SIZE));
  const endorsementKey = collateral.endorsementKey ?? picked.endorsementKey;
  return {
    ...collateral,
    ...(endorsementKey === undefined ? {} : { endorsementKey }),
    chain: [...(collateral.chain ?? []), ...(picked.chain ?? [])],
  };
}

/**
 * Verifies an SNP report and returns its claims and parsed fields.
 * @throws CasError with a `CAS_ATTESTATION_*` code when the report is not acceptable.
 */
export function verifySnpReport(input: SnpVerifyInput): VerifiedSnpReport {
  if (input.evidence.length > MAX_EVIDENCE) {
    throw new CasError(
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
      `SNP evidence larger than ${MAX_EVIDENCE} bytes.`,
    );
  }
  const report = parseSnpReport(input.evidence.subarray(0, SNP_REPORT_SIZE));
  const options = input.options ?? {};
  // Callers that have no collateral (an extended report carries its own) may pass none.
  const given: SnpCollateral = input.collateral ?? {};
  const collateral = withCertificateTable(given, input.evidence);
  const chain = verifyAmdChain(collateral, report.signingKey, options.product, input.now);
  checkSignature(report, chain.leaf);
  checkCpuid(report, chain.product);
  const reportedTcb = decodeTcb(report.reportedTcb, chain.product);
  checkEndorsement(report, chain.leaf, reportedTcb);
  const debug = checkGuest(report, {
    ...(input.allowDebug === undefined ? {} : { allowDebug: input.allowDebug }),
    ...(options.vmpl === undefined ? {} : { vmpl: options.vmpl }),
    ...(input.expectedReportData === undefined
      ? {}
      : { expectedReportData: input.expectedReportData }),
  });
  const minimum = options.minimumTcbByProduct?.[chain.product] ?? options.minimumTcb;
  const below = minimum === undefined ? null : tcbBelow(reportedTcb, minimum);
  const claims = claimsOf(report, { product: chain.product, reportedTcb, debug, below });
  return { report, claims };
}

/** Builds an SNP verifier with deployment options (product, VMPL, minimum TCB). */
export function createSnpVerifier(options: SnpVerifierOptions = {}): Verifier<SnpCollateral> {
  return {
    type: 'snp',
    verify: (request) =>
      Promise.resolve().then(() => verifySnpReport({ ...request, options }).claims),
  };
}

/** The SNP verifier with the defaults: any product, VMPL 0, no minimum TCB. */
export const snpVerifier: Verifier<SnpCollateral> = createSnpVerifier();
