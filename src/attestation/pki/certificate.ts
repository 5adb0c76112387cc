/**
 * X.509 helpers shared by the AMD and AWS chains: parse a DER certificate, read its signature
 * algorithm and extensions, check its validity window at a given clock, and check that it was
 * issued and signed by a given CA. Failures are `CasError`s with the attestation codes.
 */
import { X509Certificate } from 'node:crypto';
import { CasError } from '../../errors/cas-error.js';
import {
  derBytes,
  derChildren,
  derContent,
  derOid,
  derSerialHex,
  expectTag,
  readDer,
  type DerNode,
} from '../../encoding/der-reader.js';

export const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';
export const OID_ECDSA_SHA384 = '1.2.840.10045.4.3.3';

/** A parsed certificate: node's view plus the fields node does not expose. */
export interface ParsedCertificate {
  /** What the certificate is, in messages: `VCEK`, `ASK`, `Nitro cabundle[2]`... */
  readonly label: string;
  readonly der: Uint8Array;
  readonly x509: X509Certificate;
  readonly signatureAlgorithm: string;
  /** Extension OID to the contents of its extnValue OCTET STRING. */
  readonly extensions: ReadonlyMap<string, Uint8Array>;
  readonly notBefore: number;
  readonly notAfter: number;
  /** The serial as lowercase hex without leading zero bytes, as CRLs are compared. */
  readonly serialHex: string;
  /** The subject Name's DER, as a CRL names its issuer. */
  readonly subjectDer: Uint8Array;
}

function malformed(label: string, cause?: unknown): CasError {
  return new CasError(
    'CAS_ATTESTATION_COLLATERAL_MALFORMED',
    `The ${label} certificate cannot be parsed.`,
    {
      details: { certificate: label },
      cause,
    },
  );
}

/** Parses a DER certificate. @throws CasError `CAS_ATTESTATION_COLLATERAL_MALFORMED`. */
export function parseCertificate(der: Uint8Array, label: string): ParsedCertificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch (cause) {
    throw malformed(label, cause);
  }
  let structure: ReturnType<typeof readStructure>;
  try {
    structure = readStructure(der);
  } catch (cause) {
    throw malformed(label, cause);
  }
  const notBefore = Date.parse(x509.validFrom);
  const notAfter = Date.parse(x509.validTo);
  if (Number.isNaN(notBefore) || Number.isNaN(notAfter)) throw malformed(label);
  return {
    label,
    der,
    x509,
    ...structure,
    notBefore,
    notAfter,
  };
}

const CODE = 'CAS_ATTESTATION_COLLATERAL_MALFORMED';

/**
 * What node does not expose: the signature algorithm, extensions, serial and subject Name;
 * throws on any malformation.
 */
function readStructure(der: Uint8Array): {
  signatureAlgorithm: string;
  extensions: Map<string, Uint8Array>;
  serialHex: string;
  subjectDer: Uint8Array;
} {
  const parts = derChildren(expectTag(readDer(der, 0, CODE), 0x30, CODE, 'a certificate'), CODE);
  if (parts.length !== 3) throw new CasError(CODE, 'A certificate has three parts.');
  const [tbs, algorithm] = parts as [DerNode, DerNode, DerNode];
  const [algorithmOid] = derChildren(algorithm, CODE);
  const signatureAlgorithm = derOid(expectTag(algorithmOid, 0x06, CODE, 'an algorithm'), CODE);
  const fields = derChildren(tbs, CODE);
  // TBSCertificate: [0] version (optional), serial, signature, issuer, validity, subject, ...
  const at = fields[0]?.tag === 0xa0 ? 1 : 0;
  return {
    signatureAlgorithm,
    extensions: readExtensions(fields),
    serialHex: derSerialHex(expectTag(fields[at], 0x02, CODE, 'a serial'), CODE),
    // a copy: the certificate outlives any later change to the caller's buffer
    subjectDer: derBytes(expectTag(fields[at + 4], 0x30, CODE, 'a subject')).slice(),
  };
}

function readExtensions(tbs: readonly DerNode[]): Map<string, Uint8Array> {
  const extensions = new Map<string, Uint8Array>();
  const wrapper = tbs.find((element) => element.tag === 0xa3);
  if (wrapper === undefined) return extensions;
  const [sequence] = derChildren(wrapper, CODE);
  if (sequence === undefined) throw new CasError(CODE, 'The extensions are empty.');
  for (const entry of derChildren(sequence, CODE)) {
    const fields = derChildren(entry, CODE);
    const oid = derOid(expectTag(fields[0], 0x06, CODE, 'an extension OID'), CODE);
    const value = expectTag(fields[fields.length - 1], 0x04, CODE, 'an extension value');
    if (extensions.has(oid)) throw new CasError(CODE, `The extension ${oid} is repeated.`);
    // a copy: the map outlives any later change to the caller's buffer
    extensions.set(oid, derContent(value).slice());
  }
  return extensions;
}

/**
 * Checks `now` lies inside the certificate's validity window (both ends inclusive, as RFC 5280
 * says). @throws CasError `CAS_ATTESTATION_CERT_NOT_YET_VALID` or `CAS_ATTESTATION_CERT_EXPIRED`.
 */
export function checkValidAt(certificate: ParsedCertificate, now: Date): void {
  const at = now.getTime();
  const details = {
    certificate: certificate.label,
    notBefore: new Date(certificate.notBefore).toISOString(),
    notAfter: new Date(certificate.notAfter).toISOString(),
    at: now.toISOString(),
  };
  if (Number.isNaN(at) || at < certificate.notBefore) {
    throw new CasError(
      'CAS_ATTESTATION_CERT_NOT_YET_VALID',
      `The ${certificate.label} certificate is not valid before ${details.notBefore} (verification time ${details.at}).`,
      { details },
    );
  }
  if (at > certificate.notAfter) {
    throw new CasError(
      'CAS_ATTESTATION_CERT_EXPIRED',
      `The ${certificate.label} certificate expired at ${details.notAfter} (verification time ${details.at}).`,
      { details },
    );
  }
}

/**
 * Checks `child` names `issuer` as its issuer, is signed by its key with the expected algorithm,
 * and that `issuer` is a CA. @throws CasError `CAS_ATTESTATION_CHAIN_INVALID`.
 */
export function checkIssuedBy(
  child: ParsedCertificate,
  issuer: ParsedCertificate,
  signatureAlgorithm: string,
): void {
  const fail = (why: string): CasError =>
    new CasError(
      'CAS_ATTESTATION_CHAIN_INVALID',
      `The ${child.label} certificate is not validly issued by the ${issuer.label} certificate: ${why}.`,
      { details: { certificate: child.label, issuer: issuer.label } },
    );
  if (!issuer.x509.ca) throw fail(`the ${issuer.label} certificate is not a CA`);
  if (child.signatureAlgorithm !== signatureAlgorithm) {
    throw fail(`signature algorithm ${child.signatureAlgorithm}, expected ${signatureAlgorithm}`);
  }
  if (child.x509.issuer !== issuer.x509.subject) throw fail('issuer name differs');
  let valid: boolean;
  try {
    valid = child.x509.verify(issuer.x509.publicKey);
  } catch {
    // A key the signature algorithm cannot use is a failed verification, not a crash.
    valid = false;
  }
  if (!valid) throw fail('the signature does not verify');
}

/** Splits PEM text into the DER bytes of each CERTIFICATE block, in order. */
export function pemCertificates(text: string): Uint8Array[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) =>
    Uint8Array.from(
      Buffer.from(block.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, ''), 'base64'),
    ),
  );
}
