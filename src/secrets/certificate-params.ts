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

/** RFC 5280's upper bound on a common name, in characters. */
export const MAX_COMMON_NAME = 64;

/**
 * `common_name`, else the first `dns:` SAN, else the secret's name (SCONE's rule). A derived
 * name is cut to {@link MAX_COMMON_NAME} characters (the SAN still carries the full DNS name).
 *
 * @throws CAS_SECRETS_INVALID_PARAMS for an explicit `common_name` that is empty, longer than
 *   64 characters, or holds control characters.
 */
export function commonName(spec: SecretSpec): string {
  if (spec.common_name !== undefined) {
    const cn = spec.common_name;
    if (
      [...cn].length < 1 ||
      [...cn].length > MAX_COMMON_NAME ||
      [...cn].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\x7f')
    ) {
      throw new CasError(
        'CAS_SECRETS_INVALID_PARAMS',
        `secret '${spec.name}': common_name must have 1 to 64 characters and no control characters`,
      );
    }
    return cn;
  }
  const dns = (spec.san ?? []).find((e) => e.startsWith('dns:'));
  return [...(dns === undefined ? spec.name : dns.slice(4))].slice(0, MAX_COMMON_NAME).join('');
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
