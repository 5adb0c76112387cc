import { createHash, createHmac, createPrivateKey, X509Certificate } from 'node:crypto';
import { explicit, int, NULL, octets, oid, seq, setOf } from './der.js';

const DATA = '1.2.840.113549.1.7.1';
const KEY_BAG = '1.2.840.113549.1.12.10.1.1';
const CERT_BAG = '1.2.840.113549.1.12.10.1.3';
const X509_CERT = '1.2.840.113549.1.9.22.1';
const LOCAL_KEY_ID = '1.2.840.113549.1.9.21';
const SHA256 = '2.16.840.1.101.3.4.2.1';
const MAC_ITERATIONS = 2048;

/**
 * A PKCS#12 (RFC 7292) file with the certificate, its chain and its private key, for
 * `:pkcs12-with-private-key`. The password is empty, so the bags are not encrypted (encryption
 * under an empty password would only obscure); the file is integrity-protected with an
 * HMAC-SHA-256 MAC under the empty password, which OpenSSL, Java and .NET accept. The key and
 * its certificate share a localKeyId (SHA-1 of the certificate), which Java needs to pair them.
 * The MAC salt is derived from the certificate, so the rendering is deterministic.
 */
export function pkcs12WithPrivateKey(
  certificatePem: string,
  chainPem: readonly string[],
  privateKeyPem: string,
): Buffer {
  const certDer = Buffer.from(new X509Certificate(certificatePem).raw);
  const keyId = createHash('sha1').update(certDer).digest();
  const keyIdAttr = setOf(seq(oid(LOCAL_KEY_ID), setOf(octets(keyId))));
  const certBag = (der: Buffer, attrs?: Buffer): Buffer =>
    seq(
      oid(CERT_BAG),
      explicit(0, seq(oid(X509_CERT), explicit(0, octets(der)))),
      ...(attrs === undefined ? [] : [attrs]),
    );
  const certs = seq(
    certBag(certDer, keyIdAttr),
    ...chainPem.map((pem) => certBag(Buffer.from(new X509Certificate(pem).raw))),
  );
  const pkcs8 = createPrivateKey(privateKeyPem).export({ type: 'pkcs8', format: 'der' });
  const keys = seq(seq(oid(KEY_BAG), explicit(0, pkcs8), keyIdAttr));
  const dataInfo = (content: Buffer): Buffer => seq(oid(DATA), explicit(0, octets(content)));
  const authSafe = seq(dataInfo(certs), dataInfo(keys));

  const salt = createHash('sha256')
    .update('cas-pkcs12-mac-salt')
    .update(certDer)
    .digest()
    .subarray(0, 16);
  const macKey = pkcs12Kdf(Buffer.from([0, 0]), salt, 3, MAC_ITERATIONS, 32);
  const mac = createHmac('sha256', macKey).update(authSafe).digest();
  const macData = seq(seq(seq(oid(SHA256), NULL), octets(mac)), octets(salt), int(MAC_ITERATIONS));
  return seq(int(3), dataInfo(authSafe), macData);
}

/**
 * The PKCS#12 key derivation of RFC 7292 appendix B.2 with SHA-256 (u = 32, v = 64 bytes).
 * `password` is the BMPString with its two-byte terminator; `id` 3 derives MAC keys.
 */
export function pkcs12Kdf(
  password: Buffer,
  salt: Buffer,
  id: number,
  iterations: number,
  n: number,
): Buffer {
  const u = 32;
  const v = 64;
  const repeat = (b: Buffer): Buffer => {
    if (b.length === 0) return Buffer.alloc(0);
    const len = v * Math.ceil(b.length / v);
    return Buffer.from(Array.from({ length: len }, (_, i) => b[i % b.length]!));
  };
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([repeat(salt), repeat(password)]);
  const out: Buffer[] = [];
  for (let i = 0; i < Math.ceil(n / u); i++) {
    let A = createHash('sha256').update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash('sha256').update(A).digest();
    out.push(A);
    const B = repeat(A);
    // I_j = (I_j + B + 1) mod 2^(8v), for each v-byte block of I.
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, n);
}
