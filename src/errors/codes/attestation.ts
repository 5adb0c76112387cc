import { defineCodes } from '../code-info.js';

/** Error codes of the attestation area. Codes are never renamed or reused; see docs/errors.md. */
export const attestationCodes = defineCodes({
  CAS_ATTESTATION_EVIDENCE_MALFORMED: {
    status: 400,
    exit: 3,
    summary: 'The evidence cannot be parsed: truncated, wrong size, or not the declared format.',
  },
  CAS_ATTESTATION_EVIDENCE_UNSUPPORTED: {
    status: 400,
    exit: 3,
    summary: 'The evidence uses a version, algorithm or key type this verifier does not accept.',
  },
  CAS_ATTESTATION_COLLATERAL_MISSING: {
    status: 400,
    exit: 3,
    summary: 'Collateral the evidence needs (for example the VCEK certificate) was not given.',
  },
  CAS_ATTESTATION_COLLATERAL_MALFORMED: {
    status: 400,
    exit: 3,
    summary: 'A collateral item (certificate, chain) cannot be parsed.',
  },
  CAS_ATTESTATION_SIGNATURE_INVALID: {
    status: 403,
    exit: 3,
    summary: 'The signature over the report, document or quote does not verify.',
  },
  CAS_ATTESTATION_CHAIN_INVALID: {
    status: 403,
    exit: 3,
    summary: 'A certificate is not signed by its issuer or does not have the role its place needs.',
  },
  CAS_ATTESTATION_ROOT_UNTRUSTED: {
    status: 403,
    exit: 3,
    summary: 'The chain does not end at the built-in, pinned vendor root.',
  },
  CAS_ATTESTATION_CERT_NOT_YET_VALID: {
    status: 403,
    exit: 3,
    summary: 'A certificate of the chain is not valid yet at the verification time.',
  },
  CAS_ATTESTATION_CERT_EXPIRED: {
    status: 403,
    exit: 3,
    summary: 'A certificate of the chain has expired at the verification time.',
  },
  CAS_ATTESTATION_DEBUG_REFUSED: {
    status: 403,
    exit: 3,
    summary: 'The evidence comes from a debug enclave, TD, SNP guest or Nitro enclave.',
  },
  CAS_ATTESTATION_REPORT_DATA_MISMATCH: {
    status: 403,
    exit: 3,
    summary: 'The binding field (report data, user_data, extraData) is not the expected one.',
  },
  CAS_ATTESTATION_SNP_TCB_MISMATCH: {
    status: 403,
    exit: 3,
    summary: 'The SNP reported TCB differs from the TCB the VCEK/VLEK certificate was issued for.',
  },
  CAS_ATTESTATION_SNP_CHIP_ID_MISMATCH: {
    status: 403,
    exit: 3,
    summary: 'The SNP report CHIP_ID differs from the hwID of the VCEK certificate.',
  },
  CAS_ATTESTATION_SNP_PRODUCT_MISMATCH: {
    status: 403,
    exit: 3,
    summary:
      'The SNP report, its certificate chain and the expected product (Milan, Genoa, Turin) disagree.',
  },
  CAS_ATTESTATION_SNP_MIGRATION_AGENT: {
    status: 403,
    exit: 3,
    summary: 'The SNP guest policy allows a migration agent (MIGRATE_MA), which is refused.',
  },
  CAS_ATTESTATION_SNP_VMPL_MISMATCH: {
    status: 403,
    exit: 3,
    summary: 'The SNP report was requested at a VMPL other than the expected one (default 0).',
  },
  CAS_ATTESTATION_TPM_AK_UNBOUND: {
    status: 403,
    exit: 3,
    summary: 'The TPM attestation key is not the one bound by the SNP report (HCL runtime data).',
  },
  CAS_ATTESTATION_TPM_PCR_MISMATCH: {
    status: 403,
    exit: 3,
    summary: 'The PCR values given do not hash to the PCR digest the TPM quote signs.',
  },
  CAS_ATTESTATION_MODE_REFUSED: {
    status: 403,
    exit: 3,
    summary:
      "The session's attestation mode does not accept this kind of evidence (e.g. simulation under hardware).",
  },
  CAS_ATTESTATION_PLATFORM_REFUSED: {
    status: 403,
    exit: 3,
    summary: "The simulated platform is not among the service's platforms.",
  },
  CAS_ATTESTATION_TCB_NOT_TOLERATED: {
    status: 403,
    exit: 3,
    summary: 'The TCB status is not tolerated by the session (security.attestation.tolerate).',
  },
  CAS_ATTESTATION_ADVISORY_NOT_IGNORED: {
    status: 403,
    exit: 3,
    summary: 'The TCB has an advisory that the session does not list in ignore_advisories.',
  },
  CAS_ATTESTATION_MEASUREMENT_MISMATCH: {
    status: 403,
    exit: 3,
    summary: "No attestation variant of the service matches the evidence's measurements.",
  },
  CAS_ATTESTATION_UNKNOWN_TYPE: {
    status: 400,
    exit: 1,
    summary: 'The evidence type is not one of sim, sgx-dcap, tdx, snp, nitro, tpm.',
  },
  CAS_ATTESTATION_KEY_BINDING_INVALID: {
    status: 403,
    exit: 3,
    summary:
      'The Intel QE report does not bind the attestation key (report data is not SHA-256(key || auth data)).',
  },
  CAS_ATTESTATION_CERT_REVOKED: {
    status: 403,
    exit: 3,
    summary: 'A certificate of the chain is listed in the CRL of its issuer.',
  },
  CAS_ATTESTATION_CRL_INVALID: {
    status: 403,
    exit: 3,
    summary: 'A CRL cannot be parsed, is not signed by the issuer it covers, or is missing.',
  },
  CAS_ATTESTATION_COLLATERAL_NOT_YET_VALID: {
    status: 403,
    exit: 3,
    summary: 'A CRL, TCB info or QE identity is issued after the verification time.',
  },
  CAS_ATTESTATION_COLLATERAL_EXPIRED: {
    status: 403,
    exit: 3,
    summary: 'A CRL, TCB info or QE identity is past its next update at the verification time.',
  },
  CAS_ATTESTATION_COLLATERAL_SIGNATURE_INVALID: {
    status: 403,
    exit: 3,
    summary:
      'The TCB info or QE identity signature does not verify with the Intel SGX TCB Signing certificate.',
  },
  CAS_ATTESTATION_COLLATERAL_MISMATCH: {
    status: 403,
    exit: 3,
    summary: 'The TCB info or QE identity is for another TEE type or an unsupported version.',
  },
  CAS_ATTESTATION_COLLATERAL_STALE: {
    status: 403,
    exit: 3,
    summary:
      'The collateral has an older tcbEvaluationDataNumber than collateral already seen for this FMSPC.',
  },
  CAS_ATTESTATION_FMSPC_MISMATCH: {
    status: 403,
    exit: 3,
    summary: 'The FMSPC or PCE id of the PCK certificate differs from the TCB info.',
  },
  CAS_ATTESTATION_TCB_NO_MATCH: {
    status: 403,
    exit: 3,
    summary: 'No TCB level of the TCB info (or QE identity, TDX module) matches the platform.',
  },
  CAS_ATTESTATION_TCB_REVOKED: {
    status: 403,
    exit: 3,
    summary: 'The matching TCB level of the platform, QE or TDX module has status Revoked.',
  },
  CAS_ATTESTATION_QE_IDENTITY_MISMATCH: {
    status: 403,
    exit: 3,
    summary:
      'The quoting enclave is not the one the QE identity describes (MRSIGNER, ISVPRODID, attributes).',
  },
  CAS_ATTESTATION_TDX_MODULE_MISMATCH: {
    status: 403,
    exit: 3,
    summary:
      'The TDX module (MRSIGNERSEAM, SEAM attributes) is not the one the TCB info describes.',
  },
  CAS_ATTESTATION_SEPT_VE_NOT_DISABLED: {
    status: 403,
    exit: 3,
    summary:
      'The TD does not set SEPT_VE_DISABLE in its TD attributes, which is required by default.',
  },
});
