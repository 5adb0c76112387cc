/**
 * TPM 2.0 TPMS_ATTEST of a quote (TPM 2.0 Library, Part 2, §10.12.12): big-endian, every
 * length checked against the buffer, and the whole buffer consumed, so one signed message has
 * exactly one meaning.
 */
import { CasError } from '../../errors/cas-error.js';

const TPM_GENERATED_VALUE = 0xff544347;
const TPM_ST_ATTEST_QUOTE = 0x8018;
/** TPM_ALG_SHA256. */
export const TPM_ALG_SHA256 = 0x000b;

/** One bank of a PCR selection: the hash algorithm and the selected PCR indexes, ascending. */
export interface PcrSelection {
  readonly hash: number;
  readonly pcrs: readonly number[];
}

export interface TpmQuoteAttest {
  readonly qualifiedSigner: Uint8Array;
  readonly extraData: Uint8Array;
  readonly clock: bigint;
  readonly resetCount: number;
  readonly restartCount: number;
  readonly safe: boolean;
  readonly firmwareVersion: bigint;
  readonly pcrSelections: readonly PcrSelection[];
  readonly pcrDigest: Uint8Array;
}

function malformed(message: string): CasError {
  return new CasError('CAS_ATTESTATION_EVIDENCE_MALFORMED', `TPM quote: ${message}`);
}

/** A big-endian reader that throws a coded error instead of reading past the end. */
class Reader {
  private offset = 0;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(count: number): number {
    if (this.offset + count > this.bytes.length) throw malformed('truncated TPMS_ATTEST');
    const at = this.offset;
    this.offset += count;
    return at;
  }
  u8(): number {
    return this.view.getUint8(this.need(1));
  }
  u16(): number {
    return this.view.getUint16(this.need(2));
  }
  u32(): number {
    return this.view.getUint32(this.need(4));
  }
  u64(): bigint {
    return this.view.getBigUint64(this.need(8));
  }
  bytesOf(count: number): Uint8Array {
    const at = this.need(count);
    return this.bytes.slice(at, at + count);
  }
  sized(max: number, what: string): Uint8Array {
    const size = this.u16();
    if (size > max) throw malformed(`${what} is ${size} bytes, at most ${max} allowed`);
    return this.bytesOf(size);
  }
  done(): boolean {
    return this.offset === this.bytes.length;
  }
}

/**
 * Parses the TPMS_ATTEST of a TPM2_Quote.
 * @throws CasError `CAS_ATTESTATION_EVIDENCE_MALFORMED`.
 */
export function parseTpmsAttest(message: Uint8Array): TpmQuoteAttest {
  const reader = new Reader(message);
  if (reader.u32() !== TPM_GENERATED_VALUE) throw malformed('magic is not TPM_GENERATED_VALUE');
  if (reader.u16() !== TPM_ST_ATTEST_QUOTE) throw malformed('type is not TPM_ST_ATTEST_QUOTE');
  const qualifiedSigner = reader.sized(2 + 64, 'qualifiedSigner');
  const extraData = reader.sized(64, 'extraData');
  const clock = reader.u64();
  const resetCount = reader.u32();
  const restartCount = reader.u32();
  const safe = reader.u8();
  if (safe > 1) throw malformed('clockInfo.safe is not a boolean');
  const firmwareVersion = reader.u64();
  const count = reader.u32();
  if (count < 1 || count > 16) throw malformed(`${count} PCR selections`);
  const pcrSelections: PcrSelection[] = [];
  for (let i = 0; i < count; i += 1) {
    const hash = reader.u16();
    const size = reader.u8();
    if (size > 8) throw malformed('PCR select bitmap longer than 8 bytes');
    const bitmap = reader.bytesOf(size);
    const pcrs: number[] = [];
    bitmap.forEach((byte, index) => {
      for (let bit = 0; bit < 8; bit += 1) if (byte & (1 << bit)) pcrs.push(index * 8 + bit);
    });
    pcrSelections.push({ hash, pcrs });
  }
  const pcrDigest = reader.sized(64, 'pcrDigest');
  if (!reader.done()) throw malformed('trailing bytes after TPMS_QUOTE_INFO');
  return {
    qualifiedSigner,
    extraData,
    clock,
    resetCount,
    restartCount,
    safe: safe === 1,
    firmwareVersion,
    pcrSelections,
    pcrDigest,
  };
}
