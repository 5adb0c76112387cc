/**
 * Revocation of the AMD chain. AMD's key distribution service publishes one CRL per product
 * (`/vcek/v1/{product}/crl`, and the same for VLEK), signed by the product's ARK with RSA-PSS;
 * it lists revoked ASKs and ASVKs. A verifier given CRLs requires a fresh, ARK-signed one for
 * the report's product and refuses a chain any of them revokes. Without CRLs nothing is checked,
 * because AMD does not put them into the extended report: the operator supplies them.
 */
import type { KeyObject } from 'node:crypto';
import { CasError } from '../../errors/cas-error.js';
import { parseCrl, type Crl } from '../intel/crl.js';
import { checkWindow } from '../intel/window.js';
import type { ParsedCertificate } from '../pki/certificate.js';
import { pssParameters, verifyPss } from '../pki/rsa-pss.js';

/** CRLs given with SNP collateral (DER). Present means: revocation must be checked. */
export interface AmdRevocation {
  readonly crls: readonly Uint8Array[];
}

const CODE = 'CAS_ATTESTATION_CRL_INVALID';

/**
 * Checks the chain `covered` (ASK/ASVK and VCEK/VLEK) against the CRLs of `ark`: every CRL the
 * ARK issued must carry its valid signature (one that does not is tampered with, not merely
 * old), none may list a covered certificate (AMD never takes a revocation back), and the newest
 * must be inside its window at `now`. CRLs of other issuers (other products in the same
 * directory) are ignored; none from this ARK is a refusal.
 * @throws CasError `CAS_ATTESTATION_CRL_INVALID`, `CAS_ATTESTATION_CERT_REVOKED`,
 *   `CAS_ATTESTATION_COLLATERAL_EXPIRED`, `CAS_ATTESTATION_COLLATERAL_NOT_YET_VALID`.
 */
export function checkAmdRevocation(
  revocation: AmdRevocation,
  ark: ParsedCertificate,
  covered: readonly ParsedCertificate[],
  now: Date,
): void {
  const name = `the CRL of ${ark.label}`;
  const own = revocation.crls
    .map((der) => parseCrl(der))
    .filter((crl) => Buffer.from(crl.issuerDer).equals(Buffer.from(ark.subjectDer)));
  if (own.length === 0) {
    throw new CasError(
      CODE,
      `Revocation checking is on, but none of the ${revocation.crls.length} CRLs given is issued by ${ark.label}; add AMD's CRL for this product.`,
      { details: { crl: name, given: revocation.crls.length } },
    );
  }
  for (const crl of own) checkSignature(crl, ark.x509.publicKey, name);
  for (const certificate of covered) {
    const serial = certificate.serialHex;
    if (own.some((crl) => crl.revokedSerials.has(serial))) {
      throw new CasError(
        'CAS_ATTESTATION_CERT_REVOKED',
        `The ${certificate.label} certificate is revoked (${name}).`,
        { details: { certificate: certificate.label, serial } },
      );
    }
  }
  const newest = own.reduce((a, b) => (b.thisUpdate > a.thisUpdate ? b : a));
  checkWindow(newest.thisUpdate, newest.nextUpdate, now, name, 'collateral');
}

function checkSignature(crl: Crl, key: KeyObject, name: string): void {
  const parameters = pssParameters(crl.signatureAlgorithmDer, CODE);
  if (!verifyPss(crl.tbs, crl.signature, key, parameters)) {
    throw new CasError(CODE, `The signature of ${name} does not verify with its key.`, {
      details: { crl: name },
    });
  }
}
