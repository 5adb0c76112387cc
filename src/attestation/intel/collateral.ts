/**
 * Intel DCAP collateral as the verifiers take it: the `QuoteCollateralV3` layout (PCS
 * responses), with the signed TCB info and QE identity kept as their exact bytes, because the
 * signatures cover those bytes and re-serialised JSON would not verify.
 */
export interface IntelCollateral {
  /** DER CRL of the Intel SGX Root CA (covers the PCK CA and the TCB signing certificate). */
  readonly rootCaCrl: Uint8Array;
  /** DER CRL of the PCK Platform or Processor CA that issued the PCK certificate. */
  readonly pckCrl: Uint8Array;
  /** PEM chain of the PCK CRL issuer (informational: the CRL is checked against the quote's own PCK CA). */
  readonly pckCrlIssuerChain?: string;
  /** PEM chain, leaf first: Intel SGX TCB Signing, then (optionally) the root. */
  readonly tcbInfoIssuerChain: string;
  /** The exact signed bytes of the `tcbInfo` member. */
  readonly tcbInfo: Uint8Array;
  /** 64 bytes r‖s, ECDSA P-256/SHA-256. */
  readonly tcbInfoSignature: Uint8Array;
  readonly qeIdentityIssuerChain: string;
  /** The exact signed bytes of the `enclaveIdentity` member. */
  readonly qeIdentity: Uint8Array;
  readonly qeIdentitySignature: Uint8Array;
  /**
   * The highest `tcbEvaluationDataNumber` already seen for this FMSPC (from the caller's
   * memory); older collateral is refused. The number used is returned in the claims as
   * `extra.tcb_evaluation_data_number` for the caller to remember.
   */
  readonly minTcbEvaluationDataNumber?: number;
}

/**
 * The port through which a caller remembers the highest `tcbEvaluationDataNumber` seen per
 * TEE and FMSPC. Verifiers stay pure: the caller reads `highest` into
 * `minTcbEvaluationDataNumber` before verifying and calls `record` with the number the claims
 * report afterwards (`src/collateral/tcb-evaluation-memory.ts` does both).
 */
export interface TcbEvaluationMemory {
  highest(tee: 'sgx' | 'tdx', fmspc: string): Promise<number | undefined>;
  record(tee: 'sgx' | 'tdx', fmspc: string, tcbEvaluationDataNumber: number): Promise<void>;
}
