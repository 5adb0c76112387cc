/**
 * The `tpm` verifier for Azure confidential VMs on SEV-SNP: a TPM 2.0 quote signed by the vTPM
 * attestation key (AK), where the AK is bound to the hardware by the SNP report inside the HCL
 * report (REPORT_DATA = hash of the runtime data that holds the AK). Chain: pinned ARK → ASK →
 * VCEK → SNP report → runtime data → AK → quote → PCR digest → PCR values and extraData.
 */
import { createHash, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { CasError } from '../../errors/cas-error.js';
import type { SnpCollateral } from '../snp/amd-chain.js';
import { verifySnpReport, type SnpVerifierOptions } from '../snp/snp-verifier.js';
import type { Claims, Verifier, VerifyRequest } from '../verifier.js';
import { parseHclReport } from './hcl-report.js';
import { TPM_ALG_SHA256, parseTpmsAttest, type TpmQuoteAttest } from './tpms-attest.js';
import { parseVtpmEvidence, type VtpmEvidence } from './vtpm-evidence.js';

/** What may come beside the quote: the HCL report and the AMD certificates. */
export interface TpmCollateral {
  readonly hclReport?: Uint8Array;
  readonly snp?: SnpCollateral;
}

/** A TPM verify request; `expectedExtraData` compares raw instead of SHA-256(binding). */
export type TpmVerifyInput = VerifyRequest<TpmCollateral | undefined> & {
  readonly expectedExtraData?: Uint8Array;
  readonly snpOptions?: SnpVerifierOptions;
};

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const same = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && timingSafeEqual(a, b);

/** The PCR values the digest covers, after checking that they hash to it. */
function verifiedPcrs(attest: TpmQuoteAttest, pcrs: readonly Uint8Array[]): Record<string, string> {
  const [bank, ...others] = attest.pcrSelections;
  if (bank === undefined || others.length > 0 || bank.hash !== TPM_ALG_SHA256) {
    throw new CasError(
      'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
      'TPM quote: only a single SHA-256 PCR bank is supported.',
    );
  }
  const selected = bank.pcrs.map((index) => {
    const value = pcrs[index];
    if (value?.length !== 32)
      throw new CasError(
        'CAS_ATTESTATION_TPM_PCR_MISMATCH',
        `TPM quote: PCR ${index} is selected but its 32-byte value is not given.`,
      );
    return [index, value] as const;
  });
  const digest = createHash('sha256')
    .update(Buffer.concat(selected.map(([, value]) => value)))
    .digest();
  if (!same(digest, attest.pcrDigest)) {
    throw new CasError(
      'CAS_ATTESTATION_TPM_PCR_MISMATCH',
      'The PCR values do not hash to the PCR digest the TPM quote signs.',
    );
  }
  // Only the selected PCRs are covered by the signature; other values given are ignored.
  return Object.fromEntries(selected.map(([index, value]) => [`pcr${index}`, hex(value)]));
}

function snpCollateralOf(
  request: TpmVerifyInput,
  certificates: readonly Uint8Array[],
): SnpCollateral {
  const [leaf, ...chain] = certificates;
  const given = request.collateral?.snp;
  const endorsementKey = given?.endorsementKey ?? leaf;
  return {
    ...(given?.revocation === undefined ? {} : { revocation: given.revocation }),
    ...(endorsementKey === undefined ? {} : { endorsementKey }),
    chain: [...(given?.chain ?? []), ...chain],
  };
}

/**
 * The quote: signed by the bound AK, its PCR digest over the given PCR values, and its
 * extraData equal to the expected binding. Returns the parsed quote and the verified PCRs.
 */
function verifyQuote(
  evidence: VtpmEvidence,
  key: KeyObject,
  request: TpmVerifyInput,
): { attest: TpmQuoteAttest; measurements: Record<string, string> } {
  const attest = parseTpmsAttest(evidence.message);
  let valid: boolean;
  try {
    valid = verify('sha256', evidence.message, key, evidence.signature);
  } catch {
    valid = false;
  }
  if (!valid)
    throw new CasError(
      'CAS_ATTESTATION_SIGNATURE_INVALID',
      'The TPM quote signature does not verify with the bound attestation key.',
    );
  const measurements = verifiedPcrs(attest, evidence.pcrs);
  const expected =
    request.expectedExtraData ??
    (request.expectedReportData === undefined
      ? undefined
      : createHash('sha256').update(request.expectedReportData).digest());
  if (expected !== undefined && !same(attest.extraData, expected)) {
    throw new CasError(
      'CAS_ATTESTATION_REPORT_DATA_MISMATCH',
      'The TPM quote extraData is not the expected binding.',
      {
        details: { extra_data: hex(attest.extraData) },
      },
    );
  }
  return { attest, measurements };
}

/**
 * Verifies Azure vTPM evidence bound by SEV-SNP and returns its claims.
 * @throws CasError with a `CAS_ATTESTATION_*` code when the evidence is not acceptable.
 */
export function verifyAzureVtpm(request: TpmVerifyInput): Claims {
  const evidence = parseVtpmEvidence(request.evidence);
  const hclBytes = evidence.hclReport ?? request.collateral?.hclReport;
  if (hclBytes === undefined) {
    throw new CasError(
      'CAS_ATTESTATION_COLLATERAL_MISSING',
      'The Azure HCL report that binds the TPM attestation key is needed.',
    );
  }
  const hcl = parseHclReport(hclBytes);
  const snp = verifySnpReport({
    evidence: hcl.snpReport,
    collateral: snpCollateralOf(request, evidence.certificates),
    now: request.now,
    ...(request.allowDebug === undefined ? {} : { allowDebug: request.allowDebug }),
    ...(request.snpOptions === undefined ? {} : { options: request.snpOptions }),
  });
  if (!same(snp.report.reportData, hcl.expectedReportData)) {
    throw new CasError(
      'CAS_ATTESTATION_TPM_AK_UNBOUND',
      'The SNP REPORT_DATA is not the hash of the HCL runtime data, so the TPM attestation key is not bound to the hardware.',
    );
  }
  const { attest, measurements } = verifyQuote(evidence, hcl.attestationKey, request);
  const ak = hcl.attestationKey.export({ type: 'spki', format: 'der' });
  return {
    type: 'tpm',
    report_data: hex(attest.extraData),
    measurements,
    tcb_status: snp.claims.tcb_status,
    advisory_ids: [],
    debug: snp.claims.debug,
    extra: {
      ak_sha256: createHash('sha256').update(ak).digest('hex'),
      clock: attest.clock.toString(),
      reset_count: attest.resetCount,
      restart_count: attest.restartCount,
      firmware_version: `0x${attest.firmwareVersion.toString(16)}`,
      qualified_signer: hex(attest.qualifiedSigner),
      vm_configuration: hcl.vmConfiguration,
      hcl_user_data: hcl.userData,
      snp: { ...snp.claims.measurements, report_data: snp.claims.report_data, ...snp.claims.extra },
    },
  };
}

/** Builds the `tpm` verifier with SNP options (product, VMPL, minimum TCB). */
export function createTpmVerifier(
  snpOptions: SnpVerifierOptions = {},
): Verifier<TpmCollateral | undefined> {
  return {
    type: 'tpm',
    verify: (request) => Promise.resolve().then(() => verifyAzureVtpm({ ...request, snpOptions })),
  };
}

/** The `tpm` verifier with default SNP options (VMPL 0). */
export const tpmVerifier: Verifier<TpmCollateral | undefined> = createTpmVerifier();
