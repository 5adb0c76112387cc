import type { SecretSpec } from '../policy/types.js';
import { CasError } from '../errors/cas-error.js';
import { DEFAULT_KEY_TYPE, sha256Hex } from './key-material.js';

const DAY = 86_400;

/** Default validity of an `x509` certificate: 90 days. */
export const DEFAULT_X509_VALID_FOR = 90 * DAY;

/** Default validity of an `x509-ca` certificate: 10 years (3650 days). */
export const DEFAULT_CA_VALID_FOR = 3650 * DAY;

/** Longest validity accepted: 100 years. */
export const MAX_VALID_FOR = 36_500 * DAY;

/** Certificates start 5 minutes in the past so that peers with a slow clock accept them. */
export const BACKDATE_SECONDS = 300;

/**
 * The validity in seconds of a certificate spec, or its kind's default.
 *
 * @throws CAS_SECRETS_INVALID_PARAMS unless a positive integer up to {@link MAX_VALID_FOR}.
 */
export function validFor(spec: SecretSpec): number {
  const v =
    spec.valid_for ?? (spec.kind === 'x509-ca' ? DEFAULT_CA_VALID_FOR : DEFAULT_X509_VALID_FOR);
  if (!Number.isInteger(v) || v < 1 || v > MAX_VALID_FOR) {
    throw new CasError(
      'CAS_SECRETS_INVALID_PARAMS',
      `secret '${spec.name}': valid_for must be from 1 second to 36500 days`,
    );
  }
  return v;
}

/** `common_name`, else the first `dns:` SAN, else the secret's name (SCONE's rule). */
export function commonName(spec: SecretSpec): string {
  if (spec.common_name !== undefined) return spec.common_name;
  const dns = (spec.san ?? []).find((e) => e.startsWith('dns:'));
  return dns === undefined ? spec.name : dns.slice(4);
}

/**
 * SHA-256 of the parameters a certificate was issued with. A kept certificate whose spec now
 * hashes differently is re-issued.
 */
export function certificateParamsSha256(spec: SecretSpec): string {
  const params = [
    spec.kind,
    commonName(spec),
    spec.san ?? [],
    spec.endpoint ?? null,
    validFor(spec),
    spec.private_key === undefined ? (spec.key_type ?? DEFAULT_KEY_TYPE) : null,
    spec.private_key ?? null,
    spec.issuer ?? null,
  ];
  return sha256Hex(Buffer.from(JSON.stringify(params), 'utf8'));
}
