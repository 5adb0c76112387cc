import {
  createPrivateKey,
  createPublicKey,
  randomBytes,
  webcrypto,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { inspect } from 'node:util';
import { x509 } from './x509.js';
import { CasError } from '../errors/cas-error.js';
import { keyHashOfCertificate } from './key-hash.js';

/** Subject common name of a generated CLI identity (SCONE's CLI uses rcgen's default name). */
export const IDENTITY_COMMON_NAME = 'scone cli self signed cert';
/** DNS subject alternative name of a generated CLI identity, as SCONE's CLI writes it. */
export const IDENTITY_DNS_NAME = 'scone cli';
// A fixed, very long validity (as SCONE's CLI certificates have): an identity is a key pair
// the user pins by key hash, not a certificate a PKI renews, and fixed dates need no clock.
const NOT_BEFORE = new Date(Date.UTC(1975, 0, 1));
const NOT_AFTER = new Date(Date.UTC(4096, 0, 1));

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/**
 * A CLI identity: the private key that authenticates the user to a CAS over mutual TLS and
 * the certificate that carries its public key. Possession of the key is the identity; its key
 * hash is what access policies name. The key PEM never appears in `JSON.stringify` or
 * `util.inspect` output, so an identity that reaches a log shows only its public parts.
 */
export class Identity {
  readonly #keyPem: string;
  /** The certificate PEM (public). */
  readonly certPem: string;
  /** Key hash (Base58Check) of the certificate's public key. */
  readonly keyHash: string;
  /** The parsed certificate. */
  readonly certificate: X509Certificate;
  /** The private key, for TLS client authentication and signing. */
  readonly privateKey: KeyObject;

  constructor(
    keyPem: string,
    certPem: string,
    privateKey: KeyObject,
    certificate: X509Certificate,
  ) {
    this.#keyPem = keyPem;
    this.certPem = certPem;
    this.privateKey = privateKey;
    this.certificate = certificate;
    this.keyHash = keyHashOfCertificate(certificate);
  }

  /** The PKCS#8 private key PEM. Secret: only for the state file and the TLS stack. */
  keyPem(): string {
    return this.#keyPem;
  }

  /** The stored form: PKCS#8 key PEM followed by the certificate PEM (SCONE's `identity`). */
  toPem(): string {
    return `${this.#keyPem.trimEnd()}\n${this.certPem.trimEnd()}\n`;
  }

  toJSON(): { certificate: string; key_hash: string } {
    return { certificate: this.certPem, key_hash: this.keyHash };
  }

  [inspect.custom](): string {
    return `Identity { keyHash: '${this.keyHash}' }`;
  }
}

/**
 * Generates a fresh identity: a P-256 key and a self-signed certificate (CN
 * {@link IDENTITY_COMMON_NAME}, SAN DNS {@link IDENTITY_DNS_NAME}, valid 1975..4096).
 */
export async function generateIdentity(): Promise<Identity> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  // A positive 16-byte serial (RFC 5280 §4.1.2.2): clear the top bit.
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial.toString('hex'),
      name: `CN=${IDENTITY_COMMON_NAME}`,
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      signingAlgorithm: algorithm,
      keys,
      extensions: [
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: IDENTITY_DNS_NAME }]),
      ],
    },
    webcrypto,
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
  return parseIdentityPem(keyPem + cert.toString('pem'));
}

/**
 * Parses an identity file: a PKCS#8 private key PEM and the certificate PEM of its public key
 * (SCONE's `--identity FILE` format; the order of the two blocks does not matter, further
 * certificates after the first are ignored).
 *
 * @throws CAS_CLI_IDENTITY_INVALID when a block is missing, encrypted, of another format or
 *   undecodable; CAS_CLI_IDENTITY_MISMATCH when the key is not the certificate's key.
 */
export function parseIdentityPem(text: string): Identity {
  const blocks = [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1]!, pem: m[0] }));
  const keys = blocks.filter((b) => b.label.endsWith('PRIVATE KEY'));
  const cert = blocks.find((b) => b.label === 'CERTIFICATE');
  if (keys.length === 0 || cert === undefined) {
    throw invalid(
      `expected a PKCS#8 private key PEM (-----BEGIN PRIVATE KEY-----) followed by a certificate PEM; found ${describe(blocks.map((b) => b.label))}`,
    );
  }
  if (keys.length > 1) throw invalid('expected exactly one private key PEM, found several');
  const key = keys[0]!;
  if (key.label !== 'PRIVATE KEY') {
    // Never echo any part of the key; the label alone says what to do.
    throw invalid(
      key.label === 'ENCRYPTED PRIVATE KEY'
        ? 'the private key is encrypted; store it unencrypted in a file only you can read'
        : `the private key is a ${key.label} PEM, not PKCS#8; convert it with: openssl pkcs8 -topk8 -nocrypt`,
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: key.pem, format: 'pem', type: 'pkcs8' });
  } catch {
    // The cause is left out on purpose: decoder messages are not worth risking key bytes.
    throw invalid('the PKCS#8 private key PEM cannot be decoded');
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert.pem);
  } catch (cause) {
    throw invalid('the certificate PEM cannot be decoded', cause);
  }
  const fromKey = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const fromCert = certificate.publicKey.export({ type: 'spki', format: 'der' });
  if (!fromKey.equals(fromCert)) {
    throw new CasError(
      'CAS_CLI_IDENTITY_MISMATCH',
      "the identity's private key does not match the public key of its certificate",
    );
  }
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return new Identity(keyPem, certificate.toString(), privateKey, certificate);
}

function invalid(message: string, cause?: unknown): CasError {
  return new CasError('CAS_CLI_IDENTITY_INVALID', message, cause === undefined ? {} : { cause });
}

function describe(labels: readonly string[]): string {
  return labels.length === 0 ? 'no PEM block' : labels.map((l) => `"${l}"`).join(', ');
}
