/**
 * The raw Intel PCS responses among the shared SGX vectors (automata, fetched 2025-08-25) that
 * together make the collateral of `automata_quotev3.bin`: PCK and root CA CRLs, TCB info, QE
 * identity, TCB signing certificate and root certificate.
 */
export const RAW_PCS_FILES: readonly string[] = [
  'automata_0825_pck_platform_crl.der',
  'automata_0825_sgx_qeidentity_v4.json',
  'automata_0825_sgx_tcbinfov3_00606a000000.json',
  'automata_intel_root_ca_crl.der',
  'automata_intel_sgx_tcb_signing.der',
  'Intel_SGX_RootCA.der',
];
