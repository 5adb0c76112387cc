/**
 * The one interface every evidence verifier implements (`architecture.md`, "Evidence types").
 * Verifiers are pure: evidence bytes, collateral, the expected binding and a clock in; claims
 * or a coded CasError out. No I/O, no clock of their own.
 *
 * This file is a contract between layers (verifiers, CLI, enclave API): changes are additive.
 */

export type EvidenceType = 'sim' | 'sgx-dcap' | 'tdx' | 'snp' | 'nitro' | 'tpm';

/** TCB status as Intel names it; `NotApplicable` for types without TCB levels (sim, nitro). */
export type TcbStatus =
  | 'UpToDate'
  | 'SWHardeningNeeded'
  | 'ConfigurationNeeded'
  | 'ConfigurationAndSWHardeningNeeded'
  | 'OutOfDate'
  | 'OutOfDateConfigurationNeeded'
  | 'Revoked'
  | 'NotApplicable';

export interface VerifyRequest<C> {
  readonly evidence: Uint8Array;
  /** Type-specific collateral (certificates, CRLs, TCB info...). */
  readonly collateral: C;
  /** The verification time: every certificate, CRL and collateral is checked at this instant. */
  readonly now: Date;
  /** The 64-byte binding the report data must equal; absent = not checked (offline CLI use). */
  readonly expectedReportData?: Uint8Array;
  /** Accept debug enclaves / TDs / SNP policy / Nitro debug mode (claims still say debug). */
  readonly allowDebug?: boolean;
}

/** Normalised claims. Hex values are lowercase. */
export interface Claims {
  readonly type: EvidenceType;
  /** The 64-byte binding field as hex (Nitro: `user_data`; TPM: `extraData`). */
  readonly report_data: string;
  /** Measurement registers by their lowercase name: mrenclave, mrsigner, mrtd, rtmr0, measurement, host_data, pcr0... */
  readonly measurements: Readonly<Record<string, string>>;
  readonly tcb_status: TcbStatus;
  readonly advisory_ids: readonly string[];
  readonly debug: boolean;
  /** Type-specific extra claims (isvprodid, isvsvn, fmspc, family, reported_tcb, module_id, platform_id...). */
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface Verifier<C = unknown> {
  readonly type: EvidenceType;
  /** @throws CasError with a `CAS_ATTESTATION_*` code when the evidence is not valid. */
  verify(request: VerifyRequest<C>): Promise<Claims>;
}
