/**
 * Test data for AMD revocation: an ARK-like RSA-PSS CA of the test's own, certificates it
 * issues and CRLs it signs. No real AMD CRL ships with the test vectors and AMD's keys are not
 * ours, so the check is exercised with this CA, with AMD's exact algorithm (RSA-PSS, SHA-384,
 * salt 48) unless a test asks for another.
 */
import { webcrypto } from 'node:crypto';
import { parseCertificate, type ParsedCertificate } from '../../src/attestation/pki/certificate.js';
import { x509 } from '../../src/crypto/x509.js';
import { toPem } from '../../src/encoding/pem.js';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

export const AMD_PSS = {
  name: 'RSA-PSS',
  hash: 'SHA-384',
  saltLength: 48,
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;

/** A CA and its key pair. */
export interface TestCa {
  readonly keys: CryptoKeyPair;
  readonly certificate: ParsedCertificate;
  readonly name: string;
}

/** A self-signed RSA-PSS CA named `name` (e.g. `CN=ARK-Milan`), labelled `label`. */
export async function testArk(name = 'CN=ARK-Milan, O=Test', label = 'ARK-Milan'): Promise<TestCa> {
  const keys = await webcrypto.subtle.generateKey(AMD_PSS, false, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name,
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2045-01-01T00:00:00Z'),
    keys,
    signingAlgorithm: AMD_PSS,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return { keys, name, certificate: parseCertificate(new Uint8Array(cert.rawData), label) };
}

/** A certificate `ca` issues to `name` with serial `serial` (hex). */
export async function issuedBy(
  ca: TestCa,
  name: string,
  serial: string,
  label: string,
): Promise<ParsedCertificate> {
  const keys = await webcrypto.subtle.generateKey(AMD_PSS, false, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: name,
    issuer: ca.name,
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2045-01-01T00:00:00Z'),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: AMD_PSS,
  });
  return parseCertificate(new Uint8Array(cert.rawData), label);
}

/** What a test CRL says and how it is signed. */
export interface CrlOptions {
  readonly revoked?: readonly string[];
  readonly thisUpdate?: Date;
  readonly nextUpdate?: Date;
  /** Default AMD's: RSA-PSS, SHA-384, salt 48. */
  readonly algorithm?: webcrypto.Algorithm | webcrypto.RsaPssParams | webcrypto.EcdsaParams;
  /** Default the CA's key. */
  readonly signingKey?: CryptoKey;
  /** Default the CA's name; a Name from DER bytes reproduces a real issuer exactly. */
  readonly issuer?: string | x509.Name;
}

/** A DER CRL issued in the name of `ca`. */
export async function testCrl(ca: TestCa, options: CrlOptions = {}): Promise<Uint8Array> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: options.issuer ?? ca.name,
    thisUpdate: options.thisUpdate ?? new Date('2024-01-01T00:00:00Z'),
    nextUpdate: options.nextUpdate ?? new Date('2026-01-01T00:00:00Z'),
    entries: (options.revoked ?? []).map((serialNumber) => ({
      serialNumber,
      revocationDate: new Date('2023-06-01T00:00:00Z'),
    })),
    signingKey: options.signingKey ?? ca.keys.privateKey,
    signingAlgorithm: options.algorithm ?? AMD_PSS,
  });
  return new Uint8Array(crl.rawData);
}

/** The CRL as a PEM block. */
export function crlPem(der: Uint8Array): string {
  return toPem('X509 CRL', der);
}
