// Fresh TLS client identities for the load process, fast: one P-256 key pair per connection and
// a self-signed certificate made by re-signing a template certificate's to-be-signed part with
// the new key's SPKI and a new serial. generateIdentity (@peculiar/x509 over WebCrypto) costs
// several milliseconds each, far more than the server's work we want to measure.
import { createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { generateIdentity } from '../src/crypto/identity.js';
import type { WorkloadTlsKey } from '../src/launcher/enclave-client.js';

/** A client key as the enclave client takes it, with its SPKI DER (for the workload binding). */
export interface BenchClientKey extends WorkloadTlsKey {
  readonly spki: Buffer;
}

/** One DER element: where its content starts and where it ends. */
function element(der: Buffer, at: number): { start: number; end: number } {
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[at + 2 + i]!;
    start += n;
  }
  return { start, end: start + len };
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  return Buffer.from([0x82, n >> 8, n & 0xff]);
}

function derSequence(...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

/** Makes `count` fresh client keys, each with its own self-signed certificate. */
export async function makeClientKeys(count: number): Promise<BenchClientKey[]> {
  const template = await generateIdentity();
  const der = Buffer.from(template.certificate.raw);
  const outer = element(der, 0);
  const tbsEl = element(der, outer.start);
  const tbs = der.subarray(outer.start, tbsEl.end);
  const sigAlgEl = element(der, tbsEl.end);
  const sigAlg = der.subarray(tbsEl.end, sigAlgEl.end);
  const oldSpki = template.certificate.publicKey.export({ type: 'spki', format: 'der' });
  const spkiAt = tbs.indexOf(oldSpki);
  // The serial: the INTEGER after the [0] version inside the to-be-signed SEQUENCE. Its content
  // is replaced in place (same length), so every other offset stays valid.
  const versionEl = element(der, tbsEl.start);
  const serialEl = element(der, versionEl.end);
  if (spkiAt < 0 || der[versionEl.end] !== 0x02) {
    throw new Error('unexpected template certificate layout');
  }
  const serialAt = serialEl.start - outer.start;
  const serialLength = serialEl.end - serialEl.start;
  const keys: BenchClientKey[] = [];
  for (let i = 0; i < count; i++) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
    const nextTbs = Buffer.from(tbs);
    spki.copy(nextTbs, spkiAt);
    // Minimal DER: a first byte of 0x01-0x7f needs no padding and keeps the serial positive.
    const serial = randomBytes(serialLength);
    serial[0] = (serial[0]! & 0x7f) | 0x01;
    serial.copy(nextTbs, serialAt);
    const signature = sign('sha256', nextTbs, privateKey);
    const bits = Buffer.concat([Buffer.from([0x00]), signature]);
    const cert = derSequence(
      nextTbs,
      sigAlg,
      Buffer.concat([Buffer.from([0x03]), derLength(bits.length), bits]),
    );
    const b64 = cert.toString('base64').replace(/.{64}/g, '$&\n');
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const certPem = `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
    // Loaded into a TLS context here too: loading a key is the client's cost, like making it.
    keys.push({
      keyPem,
      certPem,
      spki,
      secureContext: createSecureContext({ key: keyPem, cert: certPem }),
    });
  }
  return keys;
}
