import { CasError } from '../../errors/cas-error.js';

/** Intel's QE vendor id: the only quoting enclave vendor these verifiers accept. */
const INTEL_QE_VENDOR_ID = '939a7233f79c4ca9940a0db3957f0607';
const HEADER_SIZE = 48;
const SGX_REPORT_SIZE = 384;
const TD10_REPORT_SIZE = 584;
const TD15_REPORT_SIZE = 648;
const ECDSA_P256 = 2;

/** A parsed SGX report body (ISV enclave or QE report); 384 bytes. */
export interface SgxReport {
  readonly raw: Uint8Array;
  readonly cpuSvn: Uint8Array;
  readonly miscSelect: number;
  readonly attributes: Uint8Array;
  readonly mrEnclave: Uint8Array;
  readonly mrSigner: Uint8Array;
  readonly isvProdId: number;
  readonly isvSvn: number;
  readonly reportData: Uint8Array;
}

/** A parsed TD report body (TD 1.0, or TD 1.5 with its two extra fields). */
export interface TdReport {
  readonly teeTcbSvn: Uint8Array;
  readonly mrSeam: Uint8Array;
  readonly mrSignerSeam: Uint8Array;
  readonly seamAttributes: Uint8Array;
  readonly tdAttributes: Uint8Array;
  readonly xfam: Uint8Array;
  readonly mrTd: Uint8Array;
  readonly mrConfigId: Uint8Array;
  readonly mrOwner: Uint8Array;
  readonly mrOwnerConfig: Uint8Array;
  readonly rtmrs: readonly [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  readonly reportData: Uint8Array;
  readonly teeTcbSvn2?: Uint8Array;
  readonly mrServiceTd?: Uint8Array;
}

/** A DCAP ECDSA quote (v3, v4 or v5), split into the pieces the verifier checks. */
export interface Quote {
  readonly version: 3 | 4 | 5;
  readonly teeType: 'sgx' | 'tdx';
  readonly qeSvn: number;
  readonly pceSvn: number;
  readonly userData: Uint8Array;
  readonly body:
    | { readonly kind: 'sgx'; readonly report: SgxReport }
    | { readonly kind: 'td'; readonly report: TdReport };
  /** The bytes the attestation key signs: header and body. */
  readonly signedBytes: Uint8Array;
  /** ISV/TD report signature, 64 bytes r‖s. */
  readonly signature: Uint8Array;
  /** The attestation public key, 64 bytes x‖y (P-256). */
  readonly attestationKey: Uint8Array;
  readonly qeReport: SgxReport;
  readonly qeReportSignature: Uint8Array;
  readonly qeAuthData: Uint8Array;
  /** The PCK certificate chain (certification data type 5), PEM text. */
  readonly pckChainPem: string;
}

/** A bounds-checked little-endian reader over the quote. */
class Reader {
  at: number;
  readonly end: number;
  private readonly buf: Uint8Array;
  constructor(buf: Uint8Array, at: number, end: number) {
    if (end > buf.length || at > end) malformed('a length field points past the end');
    this.buf = buf;
    this.at = at;
    this.end = end;
  }
  take(n: number, what: string): Uint8Array {
    if (n < 0 || this.at + n > this.end) malformed(`truncated at ${what}`);
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  u16(what: string): number {
    const b = this.take(2, what);
    return (b[0] as number) | ((b[1] as number) << 8);
  }
  u32(what: string): number {
    const b = this.take(4, what);
    return (
      ((b[0] as number) | ((b[1] as number) << 8) | ((b[2] as number) << 16)) +
      (b[3] as number) * 0x1000000
    );
  }
  done(what: string): void {
    if (this.at !== this.end) malformed(`${this.end - this.at} unexpected bytes after ${what}`);
  }
}

function malformed(why: string): never {
  throw new CasError('CAS_ATTESTATION_EVIDENCE_MALFORMED', `The quote is malformed: ${why}.`);
}

function unsupported(why: string): never {
  throw new CasError('CAS_ATTESTATION_EVIDENCE_UNSUPPORTED', `The quote is not supported: ${why}.`);
}

/** Parses a 384-byte SGX report body. */
export function parseSgxReport(raw: Uint8Array): SgxReport {
  const view = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  return {
    raw,
    cpuSvn: raw.subarray(0, 16),
    miscSelect: view.readUInt32LE(16),
    attributes: raw.subarray(48, 64),
    mrEnclave: raw.subarray(64, 96),
    mrSigner: raw.subarray(128, 160),
    isvProdId: view.readUInt16LE(256),
    isvSvn: view.readUInt16LE(258),
    reportData: raw.subarray(320, 384),
  };
}

function parseTdReport(raw: Uint8Array): TdReport {
  const f = (from: number, to: number): Uint8Array => raw.subarray(from, to);
  return {
    teeTcbSvn: f(0, 16),
    mrSeam: f(16, 64),
    mrSignerSeam: f(64, 112),
    seamAttributes: f(112, 120),
    tdAttributes: f(120, 128),
    xfam: f(128, 136),
    mrTd: f(136, 184),
    mrConfigId: f(184, 232),
    mrOwner: f(232, 280),
    mrOwnerConfig: f(280, 328),
    rtmrs: [f(328, 376), f(376, 424), f(424, 472), f(472, 520)],
    reportData: f(520, 584),
    ...(raw.length === TD15_REPORT_SIZE
      ? { teeTcbSvn2: f(584, 600), mrServiceTd: f(600, 648) }
      : {}),
  };
}

/** Reads the body kind and size from the header (v3/v4) or the body descriptor (v5). */
function bodyLayout(
  r: Reader,
  version: number,
  teeType: number,
): { kind: 'sgx' | 'td'; size: number } {
  if (version !== 5) {
    if (teeType === 0x00) return { kind: 'sgx', size: SGX_REPORT_SIZE };
    if (version === 3) unsupported('a version 3 quote must be SGX');
    return { kind: 'td', size: TD10_REPORT_SIZE };
  }
  const bodyType = r.u16('body type');
  const bodySize = r.u32('body size');
  const expected: Record<number, { kind: 'sgx' | 'td'; size: number; tee: number }> = {
    1: { kind: 'sgx', size: SGX_REPORT_SIZE, tee: 0x00 },
    2: { kind: 'td', size: TD10_REPORT_SIZE, tee: 0x81 },
    3: { kind: 'td', size: TD15_REPORT_SIZE, tee: 0x81 },
  };
  const layout = expected[bodyType];
  if (layout === undefined) unsupported(`body type ${bodyType}`);
  if (layout.tee !== teeType) malformed(`body type ${bodyType} does not match TEE type ${teeType}`);
  if (bodySize !== layout.size) malformed(`body size ${bodySize}, expected ${layout.size}`);
  return layout;
}

/**
 * Parses a DCAP ECDSA-P256 quote: v3 (SGX), v4 (SGX or TDX, TD 1.0) and v5 (SGX, TD 1.0 or
 * TD 1.5). Every length is checked against its container and no bytes may be left over, so a
 * corrupted size field is refused here rather than misread later.
 */
export function parseQuote(quote: Uint8Array): Quote {
  const r = new Reader(quote, 0, quote.length);
  const version = r.u16('version');
  const attKeyType = r.u16('attestation key type');
  const teeType = r.u32('TEE type');
  const qeSvn = r.u16('QE SVN');
  const pceSvn = r.u16('PCE SVN');
  const vendor = Buffer.from(r.take(16, 'QE vendor id')).toString('hex');
  const userData = r.take(20, 'user data');
  if (version !== 3 && version !== 4 && version !== 5) unsupported(`version ${version}`);
  if (attKeyType !== ECDSA_P256) unsupported(`attestation key type ${attKeyType}`);
  if (teeType !== 0x00 && teeType !== 0x81) unsupported(`TEE type 0x${teeType.toString(16)}`);
  if (vendor !== INTEL_QE_VENDOR_ID) unsupported(`QE vendor ${vendor}`);
  const layout = bodyLayout(r, version, teeType);
  const bodyRaw = r.take(layout.size, 'report body');
  const signedBytes = quote.subarray(0, r.at);
  if (r.at < HEADER_SIZE) malformed('header');
  const sigDataLen = r.u32('signature data length');
  if (r.at + sigDataLen > quote.length) malformed('signature data length exceeds the quote');
  const sig = new Reader(quote, r.at, r.at + sigDataLen);
  const signature = sig.take(64, 'signature');
  const attestationKey = sig.take(64, 'attestation key');
  let qe: Reader = sig;
  if (version !== 3) {
    const type = sig.u16('certification data type');
    const size = sig.u32('certification data size');
    if (type !== 6) unsupported(`outer certification data type ${type} (6 expected)`);
    if (sig.at + size > sig.end) malformed('certification data size exceeds the signature data');
    qe = new Reader(quote, sig.at, sig.at + size);
    sig.take(size, 'QE report certification data');
    sig.done('signature data');
  }
  const qeReport = parseSgxReport(qe.take(SGX_REPORT_SIZE, 'QE report'));
  const qeReportSignature = qe.take(64, 'QE report signature');
  const qeAuthData = qe.take(qe.u16('QE auth data size'), 'QE auth data');
  const certType = qe.u16('certification data type');
  const certSize = qe.u32('certification data size');
  if (certType !== 5) unsupported(`certification data type ${certType} (5, a PCK chain, expected)`);
  const pckChainPem = Buffer.from(qe.take(certSize, 'PCK certificate chain')).toString('latin1');
  qe.done('certification data');
  if (version === 3) sig.done('signature data');
  // Quotes from real TDX platforms carry unsigned padding after the signature data (the
  // buffer the QGS returns); nothing reads it, so it is ignored rather than refused.
  r.take(sigDataLen, 'signature data');
  return {
    version,
    teeType: teeType === 0 ? 'sgx' : 'tdx',
    qeSvn,
    pceSvn,
    userData,
    body:
      layout.kind === 'sgx'
        ? { kind: 'sgx', report: parseSgxReport(bodyRaw) }
        : { kind: 'td', report: parseTdReport(bodyRaw) },
    signedBytes,
    signature,
    attestationKey,
    qeReport,
    qeReportSignature,
    qeAuthData,
    pckChainPem,
  };
}
