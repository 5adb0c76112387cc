import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { IntelCollateral } from '../../../../src/attestation/intel/collateral.js';
import { sgxDcapVerifier } from '../../../../src/attestation/intel/sgx-verifier.js';
import { tdxVerifier } from '../../../../src/attestation/intel/tdx-verifier.js';
import type { Claims, Verifier } from '../../../../src/attestation/verifier.js';
import { parseDcapCollateralJson } from '../../../../src/collateral/dcap-collateral-json.js';
import { CasError } from '../../../../src/errors/cas-error.js';
import { requireShared } from '../../../helpers/shared.js';

/** One Intel vector of `../shared/testvectors`, read in place. */
export interface IntelVector {
  readonly quote: Uint8Array;
  readonly collateral: IntelCollateral;
  readonly collateralText: string;
  readonly now: Date;
  readonly verifier: Verifier<IntelCollateral>;
}

const table = {
  sgx: ['sgx', 'dcapqvl_sgx_quote.bin', 'dcapqvl_sgx_quote_collateral.json', 1751328000],
  automata: ['sgx', 'automata_quotev3.bin', 'automata_quotev3_collateral.json', 1755236700],
  sgxDebug: [
    'sgx',
    'automata_quote_sgx_debug.bin',
    'dcapqvl_sgx_quote_collateral.json',
    1751328000,
  ],
  tdx: ['tdx', 'dcapqvl_tdx_quote.bin', 'dcapqvl_tdx_quote_collateral.json', 1751328000],
  tdxOutdated: [
    'tdx',
    'dcapqvl_tdx_quote_outdated.bin',
    'dcapqvl_tdx_quote_outdated_collateral.json',
    1772323200,
  ],
  gotdx: [
    'tdx',
    'gotdx_tdx_prod_quote_SPR_E4.bin',
    'gotdx_tdx_prod_quote_SPR_E4_collateral.json',
    1688173200,
  ],
} as const;

export type IntelVectorName = keyof typeof table;

/** Loads every Intel vector, or skips the test with one line when the shared folder is absent. */
export function loadIntelVectors(t: TestContext): Record<IntelVectorName, IntelVector> | null {
  const root = requireShared(t, 'testvectors');
  if (root === null) return null;
  const out = {} as Record<IntelVectorName, IntelVector>;
  for (const [name, [dir, quote, collateral, at]] of Object.entries(table) as [
    IntelVectorName,
    (typeof table)[IntelVectorName],
  ][]) {
    const collateralText = readFileSync(join(root, dir, collateral), 'utf8');
    out[name] = {
      quote: new Uint8Array(readFileSync(join(root, dir, quote))),
      collateral: parseDcapCollateralJson(collateralText),
      collateralText,
      now: new Date(at * 1000),
      verifier: dir === 'sgx' ? sgxDcapVerifier : tdxVerifier,
    };
  }
  return out;
}

/** Runs a verification and returns the claims or the CasError code (anything else fails the test). */
export async function outcome(promise: Promise<Claims>): Promise<Claims | string> {
  try {
    return await promise;
  } catch (error) {
    assert.ok(error instanceof CasError, `not a CasError: ${String(error)}`);
    return error.code;
  }
}

/** A copy of `bytes` with one bit flipped (XOR `mask`) at `offset`. */
export function flipped(bytes: Uint8Array, offset: number, mask = 0x01): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[offset] = (copy[offset] as number) ^ mask;
  return copy;
}

/** A copy of `bytes` with the byte at `offset` set to `value`. */
export function withByte(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[offset] = value;
  return copy;
}

/**
 * Rebuilds a quote with another PCK chain (certification data type 5), fixing every size
 * field; the signatures do not cover the chain, so only the chain checks can object.
 */
export function withChain(quote: Uint8Array, pem: string): Uint8Array {
  const buf = Buffer.from(quote);
  const version = buf.readUInt16LE(0);
  const tdx = buf.readUInt32LE(4) === 0x81;
  const bodyEnd = version === 5 ? 54 + buf.readUInt32LE(50) : tdx ? 632 : 432;
  const sigStart = bodyEnd + 4;
  const qeStart = version === 3 ? sigStart + 128 : sigStart + 128 + 6;
  const authLenAt = qeStart + 384 + 64;
  const certTypeAt = authLenAt + 2 + buf.readUInt16LE(authLenAt);
  const chain = Buffer.from(pem, 'latin1');
  const out = Buffer.concat([buf.subarray(0, certTypeAt + 6), chain]);
  out.writeUInt32LE(chain.length, certTypeAt + 2);
  out.writeUInt32LE(out.length - sigStart, bodyEnd);
  if (version !== 3) out.writeUInt32LE(out.length - qeStart, sigStart + 128 + 2);
  return new Uint8Array(out);
}

/** The PEM chain embedded in a quote (for tests that rebuild it). */
export function chainOf(quote: Uint8Array): string {
  const text = Buffer.from(quote).toString('latin1');
  const start = text.indexOf('-----BEGIN CERTIFICATE-----');
  const end = text.lastIndexOf('-----END CERTIFICATE-----') + '-----END CERTIFICATE-----'.length;
  return text.slice(start, end) + '\n';
}

/**
 * Re-lays a quote out as another version (v3 SGX → v4 or v5; v4 TDX → v5 with a TD 1.0 body),
 * keeping every signed piece. The header or body descriptor changes, so the attestation-key
 * signature no longer verifies, but every structure before it must parse and check out.
 */
export function relaidOut(quote: Uint8Array, version: 4 | 5): Uint8Array {
  const b = Buffer.from(quote);
  const tdx = b.readUInt32LE(4) === 0x81;
  const bodyEnd = tdx ? 632 : 432;
  const sigStart = bodyEnd + 4;
  const sigLen = b.readUInt32LE(bodyEnd);
  const header = Buffer.from(b.subarray(0, 48));
  header.writeUInt16LE(version, 0);
  const descriptor = Buffer.alloc(version === 5 ? 6 : 0);
  if (version === 5) {
    descriptor.writeUInt16LE(tdx ? 2 : 1, 0);
    descriptor.writeUInt32LE(bodyEnd - 48, 2);
  }
  let sigData: Buffer;
  if (b.readUInt16LE(0) === 3) {
    const qeData = b.subarray(sigStart + 128, sigStart + sigLen);
    const wrapper = Buffer.alloc(6);
    wrapper.writeUInt16LE(6, 0);
    wrapper.writeUInt32LE(qeData.length, 2);
    sigData = Buffer.concat([b.subarray(sigStart, sigStart + 128), wrapper, qeData]);
  } else {
    sigData = Buffer.from(b.subarray(sigStart, sigStart + sigLen));
  }
  const len = Buffer.alloc(4);
  len.writeUInt32LE(sigData.length, 0);
  return new Uint8Array(Buffer.concat([header, descriptor, b.subarray(48, bodyEnd), len, sigData]));
}
