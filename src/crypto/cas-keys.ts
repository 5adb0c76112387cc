import {
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  webcrypto,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { x509 } from './x509.js';
import { CasError } from '../errors/cas-error.js';
import { keyHashOfCertificate } from './key-hash.js';

/**
 * Seals the instance keys to this CAS instance (simulation: the seal key file in the state
 * dir, through the store's sealer). Blobs are opaque bytes written to the state dir.
 */
export interface KeySealer {
  /** One line for the log; a simulation seal says "simulation". */
  describe(): string;
  seal(plaintext: Uint8Array, label: string): Promise<Uint8Array>;
  /** @throws when the blob was not sealed by this instance for this label. */
  unseal(blob: Uint8Array, label: string): Promise<Uint8Array>;
}

/** The subject of the TLS leaf, from the owner config's `[api_identity]`. */
export interface TlsIdentity {
  readonly commonName: string;
  readonly altNames: readonly string[];
}

/** The CAS key, the software key of this measurement, and the TLS chain software ← CAS. */
export interface CasKeys {
  readonly casKeyHash: string;
  readonly casCertPem: string;
  readonly softwareKeyHash: string;
  /** The private software key, PEM (PKCS#8): the TLS server key. */
  readonly softwareKeyPem: string;
  /** Leaf (software key, issued by the CAS key) followed by the CAS certificate. */
  readonly chainPem: string;
  /** Re-issues the leaf for another identity (owner config); the keys stay the same. */
  reissue(identity: TlsIdentity): Promise<CasKeys>;
  /** The private CAS key, PEM (PKCS#8): signs the CAS's self-evidence in simulation mode. */
  casKeyPem(): string;
  /** Signs with the CAS key (ECDSA P-256, SHA-256, DER): key-store entries, audit certificates. */
  signWithCasKey(data: Uint8Array): Promise<Uint8Array>;
  /** Verifies a {@link CasKeys.signWithCasKey} signature. */
  verifyWithCasKey(data: Uint8Array, signature: Uint8Array): boolean;
}

/** The default TLS identity before an owner config says otherwise. */
export const DEFAULT_TLS_IDENTITY: TlsIdentity = {
  commonName: 'cas',
  altNames: ['cas', 'localhost', '127.0.0.1'],
};

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const subtle = webcrypto.subtle;
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
// Like SCONE's, the instance certificates do not expire; their keys are what clients pin.
const NOT_BEFORE = new Date('1975-01-01T00:00:00Z');
const NOT_AFTER = new Date('4096-01-01T00:00:00Z');

function writePrivate(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, path);
}

async function importPair(pkcs8: Uint8Array): Promise<CryptoKeyPair> {
  const privateKey = await subtle.importKey('pkcs8', pkcs8, EC, true, ['sign']);
  const spki = createPublicKey(
    createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }),
  ).export({
    type: 'spki',
    format: 'der',
  });
  const publicKey = await subtle.importKey('spki', spki, EC, true, ['verify']);
  return { privateKey, publicKey };
}

/** Loads a sealed PKCS#8 key from the state dir, or generates and seals a new one. */
async function loadOrCreateKey(
  path: string,
  label: string,
  sealer: KeySealer,
): Promise<CryptoKeyPair> {
  if (existsSync(path)) {
    let pkcs8: Uint8Array;
    try {
      pkcs8 = await sealer.unseal(readFileSync(path), label);
    } catch (cause) {
      throw new CasError('CAS_SERVER_STATE_INVALID', `cannot unseal ${label} from ${path}`, {
        cause,
      });
    }
    return importPair(pkcs8);
  }
  const pair = await subtle.generateKey(EC, true, ['sign', 'verify']);
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
  writePrivate(path, await sealer.seal(pkcs8, label));
  pkcs8.fill(0);
  return pair;
}

async function toKeyObject(key: CryptoKey): Promise<KeyObject> {
  const der = Buffer.from(await subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

function sanEntries(altNames: readonly string[]): x509.JsonGeneralName[] {
  return altNames.map((n) =>
    /^[0-9.]+$/.test(n) || n.includes(':') ? { type: 'ip', value: n } : { type: 'dns', value: n },
  );
}

async function casCertificate(
  stateDir: string,
  pair: CryptoKeyPair,
): Promise<x509.X509Certificate> {
  const path = join(stateDir, 'cas-cert.pem');
  if (existsSync(path)) {
    const cert = new x509.X509Certificate(readFileSync(path, 'utf8'));
    const spki = new Uint8Array(await subtle.exportKey('spki', pair.publicKey));
    if (Buffer.from(cert.publicKey.rawData).equals(Buffer.from(spki))) return cert;
  }
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name: 'CN=cas',
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      keys: pair,
      signingAlgorithm: SIGN,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature,
          true,
        ),
      ],
    },
    webcrypto,
  );
  writePrivate(path, cert.toString('pem'));
  return cert;
}

/**
 * Loads the CAS key and the software key of `measurement` from `stateDir` (sealed with
 * `sealer`), generating either on first use, and issues the TLS chain software ← CAS.
 *
 * The CAS key is the instance identity (`-c` pins its hash); a new software key is generated
 * for each new measurement (`-s` pins one software version of one instance).
 *
 * @throws CAS_SERVER_STATE_INVALID when a sealed key cannot be unsealed.
 */
export async function loadOrCreateCasKeys(options: {
  readonly stateDir: string;
  readonly sealer: KeySealer;
  readonly measurement: string;
  readonly identity?: TlsIdentity;
}): Promise<CasKeys> {
  const { stateDir, sealer, measurement } = options;
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const casPair = await loadOrCreateKey(join(stateDir, 'cas-key.sealed'), 'cas-key', sealer);
  const softwarePair = await loadOrCreateKey(
    join(stateDir, `software-key-${measurement.slice(0, 16)}.sealed`),
    `software-key:${measurement}`,
    sealer,
  );
  const casCert = await casCertificate(stateDir, casPair);
  const softwareKeyPem = (await toKeyObject(softwarePair.privateKey)).export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
  const casKeyPem = (await toKeyObject(casPair.privateKey)).export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
  const build = async (identity: TlsIdentity): Promise<CasKeys> => {
    const leaf = await x509.X509CertificateGenerator.create(
      {
        serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8)))
          .toString('hex')
          .replace(/^[89a-f]/, '1'),
        subject: new x509.Name([{ CN: [identity.commonName] }, { OU: ['cas-instance'] }]),
        issuer: casCert.subject,
        notBefore: NOT_BEFORE,
        notAfter: NOT_AFTER,
        publicKey: softwarePair.publicKey,
        signingKey: casPair.privateKey,
        signingAlgorithm: SIGN,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.SubjectAlternativeNameExtension(sanEntries(identity.altNames)),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        ],
      },
      webcrypto,
    );
    const casCertPem = casCert.toString('pem');
    return {
      casKeyHash: keyHashOfCertificate(casCertPem),
      casCertPem,
      softwareKeyHash: keyHashOfCertificate(leaf.toString('pem')),
      softwareKeyPem,
      chainPem: `${leaf.toString('pem')}\n${casCertPem}\n`,
      reissue: build,
      casKeyPem: () => casKeyPem,
      signWithCasKey: (data) =>
        Promise.resolve(
          new Uint8Array(sign('sha256', data, { key: casKeyPem, dsaEncoding: 'der' })),
        ),
      verifyWithCasKey: (data, signature) =>
        verify('sha256', data, { key: casCertPem, dsaEncoding: 'der' }, signature),
    };
  };
  return build(options.identity ?? DEFAULT_TLS_IDENTITY);
}
