import { pemBlocks } from './pem-blocks.js';

/** One DER element inside a buffer: its tag, and where its content starts and ends. */
interface Tlv {
  readonly tag: number;
  /** Offset of the whole element (tag byte). */
  readonly at: number;
  readonly start: number;
  readonly end: number;
}

/**
 * Reads the element at `at` (single-byte tags only, which is all X.509 uses).
 *
 * @throws RangeError for an indefinite or overrunning length.
 */
function readTlv(buf: Buffer, at: number, limit = buf.length): Tlv {
  if (at + 2 > limit) throw new RangeError('DER element runs past its parent');
  const first = buf[at + 1]!;
  let start = at + 2;
  let len = first;
  if (first >= 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) throw new RangeError('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!;
    start += n;
  }
  if (start + len > limit) throw new RangeError('DER element runs past its parent');
  return { tag: buf[at]!, at, start, end: start + len };
}

/** The elements directly inside a constructed element. */
function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; at = out[out.length - 1]!.end) {
    out.push(readTlv(buf, at, parent.end));
  }
  return out;
}

const SKI_OID = Buffer.from('0603551d0e', 'hex');

/** What an issued certificate takes from its issuer's certificate. */
export interface IssuerFields {
  /** The issuer's subject Name, byte for byte as it is encoded in its certificate. */
  readonly subject: Buffer;
  /** The keyIdentifier of its subject key identifier extension, when it has one. */
  readonly keyId: Buffer | undefined;
}

/**
 * Reads the subject Name and subject key identifier of a certificate PEM. The Name is copied,
 * not rebuilt, so that the issued certificate's issuer matches it exactly for path building.
 *
 * The PEM is decoded here rather than by node's X509Certificate, which costs a third of a
 * millisecond: the issuer's certificate was already parsed and checked when it was generated
 * or imported, and a malformed one still fails the walk below.
 *
 * @throws RangeError when the PEM holds no certificate or its TBS is malformed.
 */
export function issuerFields(certificatePem: string): IssuerFields {
  const raw = certificateDer(certificatePem);
  const certificate = readTlv(raw, 0);
  if (certificate.tag !== 0x30 || certificate.end !== raw.length) {
    throw new RangeError('not a DER certificate');
  }
  const tbs = children(raw, certificate)[0];
  if (tbs?.tag !== 0x30) throw new RangeError('not a DER certificate');
  const fields = children(raw, tbs);
  // version [0] is optional; then serial, signature, issuer, validity, subject.
  const subject = fields[fields[0]?.tag === 0xa0 ? 5 : 4];
  if (subject?.tag !== 0x30) throw new RangeError('certificate without a subject Name');
  const tagged = fields.find((f) => f.tag === 0xa3);
  const extensions = tagged === undefined ? undefined : children(raw, tagged)[0];
  return {
    subject: raw.subarray(subject.at, subject.end),
    keyId: extensions?.tag === 0x30 ? subjectKeyId(raw, extensions) : undefined,
  };
}

function subjectKeyId(raw: Buffer, extensions: Tlv): Buffer | undefined {
  for (const ext of children(raw, extensions)) {
    const [id, ...rest] = children(raw, ext);
    if (id === undefined || !raw.subarray(id.at, id.end).equals(SKI_OID)) continue;
    const value = rest[rest.length - 1]!;
    const keyId = readTlv(raw, value.start, value.end);
    return keyId.tag === 0x04 ? raw.subarray(keyId.start, keyId.end) : undefined;
  }
  return undefined;
}

function certificateDer(pem: string): Buffer {
  const block = pemBlocks(pem).find((b) => b.label === 'CERTIFICATE');
  if (block === undefined) throw new RangeError('no CERTIFICATE block');
  return Buffer.from(block.text.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
}
