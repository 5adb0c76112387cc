import { webcrypto, type KeyObject } from 'node:crypto';
import { x509 } from '../../../src/crypto/x509.js';
import type { IssueRequest } from '../../../src/secrets/issue-certificate.js';
import { keyTypeOf, spkiDer } from '../../../src/secrets/key-material.js';
import type { KeyType } from '../../../src/policy/types.js';

/**
 * The certificate generator the CAS used before it encoded certificates itself (@peculiar/x509
 * over Web Crypto), kept so tests can compare the two and chain new certificates to CAs issued
 * by the old one. SAN entries are passed through unchecked.
 */
export async function peculiarIssue(req: IssueRequest): Promise<string> {
  const subject = await toWebKeys(req.subjectKey);
  const signer = req.issuer === undefined ? subject : await toWebKeys(req.issuer.privateKey);
  const ski = await x509.SubjectKeyIdentifierExtension.create(subject.publicKey, false, webcrypto);
  const issuerCert =
    req.issuer === undefined ? undefined : new x509.X509Certificate(req.issuer.certificatePem);
  const issuerKeyId =
    issuerCert === undefined
      ? ski.keyId
      : (issuerCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ??
        (await x509.SubjectKeyIdentifierExtension.create(signer.publicKey, false, webcrypto))
          .keyId);
  const F = x509.KeyUsageFlags;
  const rsa = keyTypeOf(req.subjectKey).startsWith('RSA');
  const usages = req.ca
    ? F.keyCertSign | F.cRLSign | F.digitalSignature
    : rsa
      ? F.digitalSignature | F.keyEncipherment
      : F.digitalSignature;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(req.ca, undefined, true),
    new x509.KeyUsagesExtension(usages, true),
    ski,
    new x509.AuthorityKeyIdentifierExtension(issuerKeyId, false),
  ];
  if (!req.ca) {
    const { serverAuth, clientAuth } = x509.ExtendedKeyUsage;
    const eku =
      req.endpoint === 'server'
        ? [serverAuth]
        : req.endpoint === 'client'
          ? [clientAuth]
          : [serverAuth, clientAuth];
    extensions.push(new x509.ExtendedKeyUsageExtension(eku, false));
  }
  if (req.san.length > 0) {
    const names = req.san.map((e): x509.JsonGeneralName => {
      const [type, ...rest] = e.split(':');
      return { type: type === 'ip' ? 'ip' : 'dns', value: rest.join(':') };
    });
    extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  }
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
    webcrypto,
  );
  return cert.toString('pem') + '\n';
}

// The Web Crypto key import the old generator needed (only this comparison uses it now).
/** Web Crypto algorithms for importing and signing with a key type. */
export function webAlgorithms(keyType: KeyType): {
  readonly importAlg:
    webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams | webcrypto.Algorithm;
  readonly signAlg: webcrypto.EcdsaParams | webcrypto.Algorithm;
} {
  switch (keyType) {
    case 'P-256':
      return {
        importAlg: { name: 'ECDSA', namedCurve: 'P-256' },
        signAlg: { name: 'ECDSA', hash: 'SHA-256' },
      };
    case 'P-384':
      return {
        importAlg: { name: 'ECDSA', namedCurve: 'P-384' },
        signAlg: { name: 'ECDSA', hash: 'SHA-384' },
      };
    case 'Ed25519':
      return { importAlg: { name: 'Ed25519' }, signAlg: { name: 'Ed25519' } };
    case 'RSA-2048':
    case 'RSA-3072':
      return {
        importAlg: {
          name: 'RSASSA-PKCS1-v1_5',
          hash: 'SHA-256',
        },
        signAlg: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      };
  }
}

/** Imports a private key object into Web Crypto as a signing key and its public key. */
export async function toWebKeys(key: KeyObject): Promise<{
  privateKey: webcrypto.CryptoKey;
  publicKey: webcrypto.CryptoKey;
  signAlg: webcrypto.Algorithm;
}> {
  const { importAlg, signAlg } = webAlgorithms(keyTypeOf(key));
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  const privateKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, importAlg, false, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', spkiDer(key), importAlg, true, [
    'verify',
  ]);
  return { privateKey, publicKey, signAlg };
}
