import { splitChain } from './chain.js';
import { pckExtensions } from './pck-extensions.js';
import { parseQuote } from './quote.js';

/** What picks the collateral of a quote: TEE, FMSPC and which PCK CA issued its PCK. */
export interface DcapCollateralKey {
  readonly tee: 'sgx' | 'tdx';
  /** Lowercase hex. */
  readonly fmspc: string;
  readonly pckCa: 'platform' | 'processor';
}

/**
 * Reads the collateral key of a quote without verifying anything (the verifier does that
 * later); a collateral source uses it to find the TCB info and PCK CRL the quote needs.
 */
export function dcapCollateralKey(evidence: Uint8Array): DcapCollateralKey {
  const quote = parseQuote(evidence);
  const [leaf] = splitChain(
    quote.pckChainPem,
    'CAS_ATTESTATION_CHAIN_INVALID',
    'PCK certificate chain',
  );
  const pck = pckExtensions(leaf!);
  return {
    tee: quote.teeType,
    fmspc: pck.fmspc,
    pckCa: leaf!.issuerCn === 'Intel SGX PCK Processor CA' ? 'processor' : 'platform',
  };
}
