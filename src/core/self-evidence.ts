import { createHash, createPrivateKey } from 'node:crypto';
import { signSimReport } from '../attestation/sim/sim-report.js';
import { CasError } from '../errors/cas-error.js';
import type { CasRuntime } from './cas-runtime.js';
import type { LifecycleState } from './lifecycle.js';

/** The claims a CAS makes about itself; bound into its evidence (`architecture.md`). */
export interface CasSelfClaims {
  readonly cas_key_hash: string;
  readonly software_key_hash: string;
  readonly db_key_injected: boolean;
  readonly platform_mode: 'sim';
  readonly version: string;
}

/** The answer of `GET /v1/attest`. */
export interface CasSelfEvidence {
  readonly type: 'sim';
  /** The evidence bytes, base64 (a `sim` report signed by the CAS key in simulation mode). */
  readonly evidence: string;
  readonly claims: CasSelfClaims;
  /** The TLS chain (leaf first) the claims speak about. */
  readonly chain: string;
  readonly measurement: string;
  readonly state: LifecycleState;
}

const LABEL = Buffer.from('cas-self-v1', 'ascii');

/** Canonical JSON of the (flat) claims: sorted keys, no white space. */
export function canonicalClaims(claims: CasSelfClaims): string {
  const record = claims as unknown as Record<string, unknown>;
  const sorted = Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k]]),
  );
  return JSON.stringify(sorted);
}

/** SHA-512("cas-self-v1" ‖ nonce ‖ SHA-256(canonical claims)): the 64-byte binding. */
export function selfReportData(nonce: Uint8Array, claims: CasSelfClaims): Buffer {
  const inner = createHash('sha256').update(canonicalClaims(claims)).digest();
  return createHash('sha512').update(LABEL).update(nonce).update(inner).digest();
}

/** Nonces are 16 to 64 bytes chosen by the client. */
export function parseNonce(hex: unknown): Buffer {
  if (typeof hex !== 'string' || !/^(?:[0-9a-fA-F]{2}){16,64}$/.test(hex)) {
    throw new CasError(
      'CAS_SERVER_BAD_REQUEST',
      'nonce must be 16 to 64 bytes in hex (?nonce=<hex>)',
    );
  }
  return Buffer.from(hex, 'hex');
}

/**
 * The CAS's own evidence for a client's nonce: claims about its keys and mode, bound with the
 * nonce into the report data. In simulation mode the report is a `sim` report signed by the
 * CAS key itself, which proves only that the keys belong together, not any TEE.
 */
export function casSelfEvidence(rt: CasRuntime, nonceHex: unknown): CasSelfEvidence {
  rt.require('evidence');
  const nonce = parseNonce(nonceHex);
  const { keys, measurement, version } = rt.deps;
  const current = rt.keys;
  const claims: CasSelfClaims = {
    cas_key_hash: current.casKeyHash,
    software_key_hash: current.softwareKeyHash,
    db_key_injected: rt.owner?.db_key_injected ?? false,
    platform_mode: rt.deps.platformMode,
    version,
  };
  const evidence = signSimReport(
    { measurement, reportData: selfReportData(nonce, claims) },
    createPrivateKey(keys.casKeyPem()),
  );
  return {
    type: 'sim',
    evidence: Buffer.from(evidence).toString('base64'),
    claims,
    chain: current.chainPem,
    measurement,
    state: rt.state,
  };
}
