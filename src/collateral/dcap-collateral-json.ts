import type { IntelCollateral } from '../attestation/intel/collateral.js';
import { CasError } from '../errors/cas-error.js';

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * Parses Intel DCAP collateral in the `QuoteCollateralV3` JSON layout (Phala dcap-qvl, the
 * shared test vectors): PEM issuer chains, hex DER CRLs, the signed `tcb_info`/`qe_identity`
 * text and hex r‖s signatures. The signed texts are kept as their exact UTF-8 bytes.
 */
export function parseDcapCollateralJson(text: string): IntelCollateral {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new CasError('CAS_ATTESTATION_COLLATERAL_MALFORMED', 'The collateral file is not JSON.', {
      cause,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CasError(
      'CAS_ATTESTATION_COLLATERAL_MALFORMED',
      'The collateral file is not a JSON object.',
    );
  }
  const obj = value as Record<string, unknown>;
  const str = (key: string): string => {
    const v = obj[key];
    if (typeof v !== 'string') {
      throw new CasError(
        'CAS_ATTESTATION_COLLATERAL_MISSING',
        `The collateral file has no "${key}".`,
        { details: { field: key } },
      );
    }
    return v;
  };
  const hexBytes = (key: string): Uint8Array => {
    const v = str(key).trim();
    if (!HEX.test(v))
      throw new CasError('CAS_ATTESTATION_COLLATERAL_MALFORMED', `"${key}" is not hex.`, {
        details: { field: key },
      });
    return new Uint8Array(Buffer.from(v, 'hex'));
  };
  // CRLs are hex DER in this layout; PEM (as PCS serves them by default) is accepted too
  const crlBytes = (key: string): Uint8Array => {
    const pem = /^-----BEGIN X509 CRL-----([A-Za-z0-9+/=\s]+)-----END X509 CRL-----$/.exec(
      str(key).trim(),
    );
    return pem
      ? new Uint8Array(Buffer.from((pem[1] ?? '').replace(/\s+/g, ''), 'base64'))
      : hexBytes(key);
  };
  const utf8 = (key: string): Uint8Array => new Uint8Array(Buffer.from(str(key), 'utf8'));
  return {
    rootCaCrl: crlBytes('root_ca_crl'),
    pckCrl: crlBytes('pck_crl'),
    ...(typeof obj['pck_crl_issuer_chain'] === 'string'
      ? { pckCrlIssuerChain: obj['pck_crl_issuer_chain'] }
      : {}),
    tcbInfoIssuerChain: str('tcb_info_issuer_chain'),
    tcbInfo: utf8('tcb_info'),
    tcbInfoSignature: hexBytes('tcb_info_signature'),
    qeIdentityIssuerChain: str('qe_identity_issuer_chain'),
    qeIdentity: utf8('qe_identity'),
    qeIdentitySignature: hexBytes('qe_identity_signature'),
  };
}
