import { CasError } from '../../errors/cas-error.js';
import type { CasErrorCode } from '../../errors/codes.js';
import { isPinned, pinnedDer, type PinnedCertificateId } from '../roots.js';
import { checkWindow } from './window.js';
import { parseCertificate, pemCertificates, verifyEcdsaDer, type Certificate } from './x509.js';

const ROOT_ID: PinnedCertificateId = 'intel-sgx-root-ca';
const PCK_CA_NAMES = ['Intel SGX PCK Platform CA', 'Intel SGX PCK Processor CA'];

/** The verified PCK chain of a quote. */
export interface PckChain {
  readonly leaf: Certificate;
  readonly pckCa: Certificate;
  readonly root: Certificate;
}

/** The built-in Intel SGX Root CA, parsed. */
export function intelRoot(): Certificate {
  return parseCertificate(pinnedDer(ROOT_ID), 'CAS_INTERNAL');
}

/**
 * Parses a PEM chain, leaf first. A last certificate that names itself as issuer is a root:
 * it is accepted only when byte-equal to the pinned Intel root, and then dropped (the built-in
 * one is used).
 */
export function splitChain(pem: string, code: CasErrorCode, what: string): Certificate[] {
  const ders = pemCertificates(pem, code);
  if (ders.length === 0) throw new CasError(code, `The ${what} holds no certificate.`);
  const certs = ders.map((der) => parseCertificate(der, code));
  const last = certs[certs.length - 1] as Certificate;
  if (certs.length > 1 && Buffer.from(last.issuerDer).equals(Buffer.from(last.subjectDer))) {
    if (!isPinned(ROOT_ID, last.der)) {
      throw new CasError(
        'CAS_ATTESTATION_ROOT_UNTRUSTED',
        `The ${what} ends at a root that is not the pinned Intel SGX Root CA.`,
        {
          details: { chain: what, root: last.subjectCn },
        },
      );
    }
    certs.pop();
  }
  return certs;
}

/** Checks that `cert` is issued and signed by `issuer` and has the expected role. */
export function checkIssued(
  cert: Certificate,
  issuer: Certificate,
  roleCns: readonly string[],
  ca: boolean,
  what: string,
): void {
  if (!roleCns.includes(cert.subjectCn) || cert.isCa !== ca) {
    throw new CasError(
      'CAS_ATTESTATION_CHAIN_INVALID',
      `The ${what} is "${cert.subjectCn}", which cannot have that role.`,
      {
        details: { certificate: cert.subjectCn, expected: roleCns },
      },
    );
  }
  if (!Buffer.from(cert.issuerDer).equals(Buffer.from(issuer.subjectDer))) {
    throw new CasError(
      'CAS_ATTESTATION_CHAIN_INVALID',
      `The ${what} is not issued by ${issuer.subjectCn}.`,
      {
        details: { certificate: cert.subjectCn, issuer: cert.issuerCn },
      },
    );
  }
  if (!verifyEcdsaDer(cert.signatureAlgorithm, cert.tbs, cert.signature, issuer.publicKey)) {
    throw new CasError(
      'CAS_ATTESTATION_CHAIN_INVALID',
      `The ${what} signature does not verify with ${issuer.subjectCn}.`,
      {
        details: { certificate: cert.subjectCn },
      },
    );
  }
}

/**
 * Verifies the PCK chain of a quote (certification data type 5) up to the built-in Intel root:
 * names, signatures, roles (PCK certificate ← PCK Platform/Processor CA ← root) and every
 * validity window at `now`.
 */
export function verifyPckChain(pem: string, now: Date): PckChain {
  const root = intelRoot();
  const certs = splitChain(pem, 'CAS_ATTESTATION_CHAIN_INVALID', 'PCK certificate chain');
  if (certs.length !== 2) {
    throw new CasError(
      'CAS_ATTESTATION_CHAIN_INVALID',
      `The PCK chain must hold the PCK certificate and its CA (found ${certs.length} below the root).`,
    );
  }
  const [leaf, pckCa] = certs as [Certificate, Certificate];
  checkIssued(pckCa, root, PCK_CA_NAMES, true, 'PCK CA certificate');
  checkIssued(leaf, pckCa, ['Intel SGX PCK Certificate'], false, 'PCK certificate');
  for (const cert of [root, pckCa, leaf])
    checkWindow(cert.notBefore, cert.notAfter, now, cert.subjectCn, 'certificate');
  return { leaf, pckCa, root };
}

/** Verifies a TCB signing chain (TCB info or QE identity issuer chain); returns the signer. */
export function verifyTcbSigner(pem: string, now: Date, what: string): Certificate {
  const root = intelRoot();
  const certs = splitChain(pem, 'CAS_ATTESTATION_COLLATERAL_MALFORMED', what);
  if (certs.length !== 1) {
    throw new CasError(
      'CAS_ATTESTATION_CHAIN_INVALID',
      `The ${what} must hold only the Intel SGX TCB Signing certificate below the root.`,
    );
  }
  const signer = certs[0] as Certificate;
  checkIssued(signer, root, ['Intel SGX TCB Signing'], false, `${what} signer`);
  checkWindow(signer.notBefore, signer.notAfter, now, signer.subjectCn, 'certificate');
  return signer;
}
