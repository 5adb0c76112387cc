import { webcrypto, type KeyObject } from 'node:crypto';
import { x509 } from '../crypto/x509.js';
import { CasError } from '../errors/cas-error.js';
import { keyTypeOf, toWebKeys } from './key-material.js';

/** The Web Crypto provider, passed explicitly so no global provider is set at import. */
const provider = webcrypto;

/** What a certificate is issued from. */
export interface IssueRequest {
  /** Secret name, for error messages only. */
  readonly name: string;
  readonly ca: boolean;
  /** The subject's private key (its public half goes into the certificate). */
  readonly subjectKey: KeyObject;
  readonly commonName: string;
  /** `dns:name` or `ip:address` entries. */
  readonly san: readonly string[];
  readonly endpoint?: 'server' | 'client';
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Positive serial number as hex. */
  readonly serialHex: string;
  /** Absent: self-signed. */
  readonly issuer?: { readonly certificatePem: string; readonly privateKey: KeyObject };
}

/**
 * Issues an X.509 v3 certificate and returns its PEM. CA certificates get BasicConstraints
 * CA:TRUE and keyUsage keyCertSign and cRLSign; end-entity certificates get CA:FALSE,
 * digitalSignature (and keyEncipherment for RSA keys), and an extended key usage of serverAuth
 * (`endpoint: server`), clientAuth (`client`) or both (no endpoint). Every certificate has a
 * subject key identifier and an authority key identifier equal to its issuer's.
 *
 * @throws CAS_SECRETS_INVALID_PARAMS for a SAN entry that is neither `dns:` nor `ip:`.
 */
export async function issueCertificate(req: IssueRequest): Promise<string> {
  const subject = await toWebKeys(req.subjectKey);
  const signer = req.issuer === undefined ? subject : await toWebKeys(req.issuer.privateKey);
  const ski = await x509.SubjectKeyIdentifierExtension.create(subject.publicKey, false, provider);
  const issuerCert =
    req.issuer === undefined ? undefined : new x509.X509Certificate(req.issuer.certificatePem);
  const issuerKeyId =
    issuerCert === undefined
      ? ski.keyId
      : (issuerCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ??
        (await x509.SubjectKeyIdentifierExtension.create(signer.publicKey, false, provider)).keyId);

  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(req.ca, undefined, true),
    new x509.KeyUsagesExtension(keyUsages(req), true),
    ski,
    new x509.AuthorityKeyIdentifierExtension(issuerKeyId, false),
  ];
  if (!req.ca) {
    const eku =
      req.endpoint === 'server'
        ? [x509.ExtendedKeyUsage.serverAuth]
        : req.endpoint === 'client'
          ? [x509.ExtendedKeyUsage.clientAuth]
          : [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
    extensions.push(new x509.ExtendedKeyUsageExtension(eku, false));
  }
  if (req.san.length > 0) extensions.push(subjectAltName(req.name, req.san));

  const subjectName = [{ CN: [req.commonName] }];
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: req.serialHex,
      subject: subjectName,
      issuer: issuerCert === undefined ? subjectName : issuerCert.subjectName,
      notBefore: req.notBefore,
      notAfter: req.notAfter,
      publicKey: subject.publicKey,
      signingKey: signer.privateKey,
      signingAlgorithm: signer.signAlg,
      extensions,
    },
    provider,
  );
  return cert.toString('pem') + '\n';
}

function keyUsages(req: IssueRequest): x509.KeyUsageFlags {
  if (req.ca) {
    return (
      x509.KeyUsageFlags.keyCertSign |
      x509.KeyUsageFlags.cRLSign |
      x509.KeyUsageFlags.digitalSignature
    );
  }
  const rsa = keyTypeOf(req.subjectKey).startsWith('RSA');
  return rsa
    ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
    : x509.KeyUsageFlags.digitalSignature;
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 = /^[0-9a-fA-F:.]+$/;
const DNS_NAME =
  /^(?:\*\.)?[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;

function subjectAltName(secret: string, san: readonly string[]): x509.Extension {
  const names = san.map((e) => generalName(secret, e));
  try {
    return new x509.SubjectAlternativeNameExtension(names, false);
  } catch {
    // The address parser refuses what the pattern let through (an IPv6 form like `1:2:3`).
    throw new CasError(
      'CAS_SECRETS_INVALID_PARAMS',
      `secret '${secret}': a SAN IP address is not a valid IPv4 or IPv6 address`,
    );
  }
}

function generalName(secret: string, entry: string): x509.JsonGeneralName {
  const colon = entry.indexOf(':');
  const type = entry.slice(0, colon);
  const value = entry.slice(colon + 1);
  if (type === 'dns' && DNS_NAME.test(value) && value.length <= 253) return { type: 'dns', value };
  if (type === 'ip' && (IPV4.test(value) || (value.includes(':') && IPV6.test(value)))) {
    return { type: 'ip', value };
  }
  throw new CasError(
    'CAS_SECRETS_INVALID_PARAMS',
    `secret '${secret}': SAN entry '${entry}' must be dns:<name> or ip:<address>`,
  );
}
