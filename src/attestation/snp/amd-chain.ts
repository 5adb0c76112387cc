/**
 * The AMD certificate chain of an SNP report: VCEK ← ASK ← ARK, or VLEK ← ASVK ← ARK. The ARK
 * of each product is built in and pinned; an ARK that arrives with collateral is accepted only
 * if byte-identical to the pinned one. The ASK/ASVK may come from collateral or be built in;
 * either way it must be signed by the pinned ARK. AMD signs the chain with RSA-PSS (SHA-384).
 */
import { CasError } from '../../errors/cas-error.js';
import {
  OID_RSASSA_PSS,
  checkIssuedBy,
  checkValidAt,
  parseCertificate,
  type ParsedCertificate,
} from '../pki/certificate.js';
import { isPinned, pinnedDer, type PinnedCertificateId } from '../roots.js';
import { checkAmdRevocation, type AmdRevocation } from './amd-crl.js';
import { SNP_PRODUCTS, type SnpProduct } from './snp-tcb.js';
import type { SnpSigningKey } from './snp-report.js';

/** Certificates that arrive with the evidence (DER): the VCEK/VLEK and optionally ASK/ASVK/ARK. */
export interface SnpCollateral {
  /** The VCEK or VLEK certificate, DER. */
  readonly endorsementKey?: Uint8Array;
  /** Further certificates (ASK, ASVK, ARK), DER, in any order. */
  readonly chain?: readonly Uint8Array[];
  /** AMD's CRLs; when present, a fresh one of the product's ARK is required. */
  readonly revocation?: AmdRevocation;
}

/** A verified chain: the leaf that signs reports and the product its ARK belongs to. */
export interface VerifiedAmdChain {
  readonly leaf: ParsedCertificate;
  readonly product: SnpProduct;
}

const LEAF_NAMES: Record<SnpSigningKey, string> = { vcek: 'SEV-VCEK', vlek: 'SEV-VLEK' };

function commonName(certificate: ParsedCertificate, field: 'subject' | 'issuer'): string {
  const line = certificate.x509[field].split('\n').find((part) => part.startsWith('CN='));
  return line === undefined ? '' : line.slice(3);
}

function builtIn(product: SnpProduct, key: SnpSigningKey): PinnedCertificateId | null {
  const suffix = product.toLowerCase() as 'milan' | 'genoa' | 'turin';
  if (key === 'vcek') return `amd-ask-${suffix}`;
  return suffix === 'milan' ? 'amd-asvk-milan' : null;
}

/** The product named by the intermediate's CN: `SEV-Milan`, `SEV-VLEK-Genoa`... */
function productOfIssuer(issuer: string, key: SnpSigningKey): SnpProduct | null {
  const prefix = key === 'vcek' ? 'SEV-' : 'SEV-VLEK-';
  return SNP_PRODUCTS.find((product) => issuer === `${prefix}${product}`) ?? null;
}

/**
 * Verifies the chain of the key that signed the report, at `now`.
 * With `collateral.revocation`, the ASK/ASVK and the VCEK/VLEK are checked against the ARK's CRL.
 * @throws CasError `CAS_ATTESTATION_COLLATERAL_MISSING`, `..._CHAIN_INVALID`, `..._ROOT_UNTRUSTED`,
 *   `..._SNP_PRODUCT_MISMATCH`, `..._CERT_NOT_YET_VALID`, `..._CERT_EXPIRED`, and with
 *   revocation `..._CRL_INVALID`, `..._CERT_REVOKED`, `..._COLLATERAL_EXPIRED`.
 */
export function verifyAmdChain(
  collateral: SnpCollateral,
  key: SnpSigningKey,
  expectedProduct: SnpProduct | undefined,
  now: Date,
): VerifiedAmdChain {
  const label = key.toUpperCase();
  if (collateral.endorsementKey === undefined) {
    throw new CasError(
      'CAS_ATTESTATION_COLLATERAL_MISSING',
      `The ${label} certificate that signed the SNP report is needed.`,
      {
        details: { certificate: label },
      },
    );
  }
  const leaf = parseCertificate(collateral.endorsementKey, label);
  if (commonName(leaf, 'subject') !== LEAF_NAMES[key]) {
    throw new CasError(
      'CAS_ATTESTATION_CHAIN_INVALID',
      `The report is signed by a ${label}, but the certificate given is "${commonName(leaf, 'subject')}".`,
      {
        details: { certificate: label },
      },
    );
  }
  const product = productOfIssuer(commonName(leaf, 'issuer'), key);
  if (product === null || (expectedProduct !== undefined && product !== expectedProduct)) {
    throw new CasError(
      'CAS_ATTESTATION_SNP_PRODUCT_MISMATCH',
      `The ${label} is issued by "${commonName(leaf, 'issuer')}"; expected ${expectedProduct ?? 'Milan, Genoa or Turin'}.`,
      { details: { issuer: commonName(leaf, 'issuer'), expected: expectedProduct ?? null } },
    );
  }
  const arkId: PinnedCertificateId = `amd-ark-${product.toLowerCase() as 'milan' | 'genoa' | 'turin'}`;
  const ark = parseCertificate(pinnedDer(arkId), `ARK-${product}`);
  const intermediateLabel = key === 'vcek' ? 'ASK' : 'ASVK';
  const given = (collateral.chain ?? []).map((der, index) => ({
    der,
    certificate: parseCertificate(der, `collateral certificate ${index}`),
  }));
  // Roots first: a self-signed certificate is an ARK, and only the pinned one of this product
  // is acceptable, whatever else the collateral holds.
  for (const { der, certificate } of given) {
    if (certificate.x509.subject === certificate.x509.issuer && !isPinned(arkId, der)) {
      throw new CasError(
        'CAS_ATTESTATION_ROOT_UNTRUSTED',
        `The collateral holds a root certificate "${commonName(certificate, 'subject')}" that is not the pinned ARK-${product}.`,
        { details: { root: commonName(certificate, 'subject'), expected: `ARK-${product}` } },
      );
    }
  }
  let intermediate: ParsedCertificate | null = null;
  for (const { certificate } of given) {
    if (certificate.x509.subject === certificate.x509.issuer) continue;
    if (certificate.x509.subject !== leaf.x509.issuer) {
      throw new CasError(
        'CAS_ATTESTATION_CHAIN_INVALID',
        `The collateral certificate "${commonName(certificate, 'subject')}" is not the issuer of the ${label} ("${commonName(leaf, 'issuer')}").`,
        {
          details: {
            certificate: commonName(certificate, 'subject'),
            expected: commonName(leaf, 'issuer'),
          },
        },
      );
    }
    intermediate = { ...certificate, label: intermediateLabel };
  }
  if (intermediate === null) {
    const id = builtIn(product, key);
    if (id === null) {
      throw new CasError(
        'CAS_ATTESTATION_COLLATERAL_MISSING',
        `The ${intermediateLabel} for ${product} is not built in; pass it with the collateral.`,
        {
          details: { certificate: intermediateLabel, product },
        },
      );
    }
    intermediate = parseCertificate(pinnedDer(id), intermediateLabel);
  }
  checkIssuedBy(intermediate, ark, OID_RSASSA_PSS);
  checkIssuedBy(leaf, intermediate, OID_RSASSA_PSS);
  for (const certificate of [ark, intermediate, leaf]) checkValidAt(certificate, now);
  if (collateral.revocation !== undefined) {
    checkAmdRevocation(collateral.revocation, ark, [intermediate, leaf], now);
  }
  return { leaf, product };
}
