import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../encoding/canonical-json.js';

/** The `prev` of the first line ever written: 64 zeros. */
export const GENESIS = '0'.repeat(64);

/** The events of `interfaces.md` §8. */
export const AUDIT_EVENTS = [
  'cas_started',
  'cas_provisioned',
  'config_updated',
  'audit_log_enabled',
  'audit_log_disabled',
  'session_created',
  'session_updated',
  'session_read',
  'access_denied',
  'service_attested',
  'attestation_refused',
  'backup_registered',
  'aborted',
] as const;

/** One event name of the audit log. */
export type AuditEventName = (typeof AUDIT_EVENTS)[number];

/** A parsed audit line: `seq`, `time`, `event`, subject fields, `prev`, optional `sig`. */
export interface AuditLine {
  readonly seq: number;
  readonly time: string;
  readonly event: AuditEventName;
  readonly prev: string;
  readonly sig?: string;
  readonly [field: string]: unknown;
}

/** SHA-256 (hex) of a line's exact bytes, without its newline: the next line's `prev`. */
export function hashLine(line: string): string {
  return createHash('sha256').update(line, 'utf8').digest('hex');
}

/**
 * Serialises a line as canonical JSON; with `signer`, adds `sig` (ECDSA P-256, SHA-256, DER,
 * base64) over the canonical JSON of every other field, so a verifier can recompute it.
 */
export function serializeLine(
  fields: Omit<AuditLine, 'sig'>,
  signer: KeyObject | undefined,
): string {
  if (signer === undefined) return canonicalJson(fields);
  const sig = sign('sha256', Buffer.from(canonicalJson(fields), 'utf8'), signer).toString('base64');
  return canonicalJson({ ...fields, sig });
}

/** True when `line` carries a valid `sig` by `key` (over the canonical JSON without it). */
export function lineSignatureValid(line: AuditLine, key: KeyObject): boolean {
  if (typeof line.sig !== 'string') return false;
  const { sig, ...rest } = line;
  try {
    return verify(
      'sha256',
      Buffer.from(canonicalJson(rest), 'utf8'),
      key,
      Buffer.from(sig, 'base64'),
    );
  } catch {
    return false;
  }
}

/**
 * Parses one line; null unless it is canonical JSON with the required fields (so a line that
 * was re-formatted, or had a field added, is reported and never silently re-interpreted).
 */
export function parseLine(text: string): AuditLine | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const ok =
    Number.isSafeInteger(v['seq']) &&
    (v['seq'] as number) >= 1 &&
    typeof v['time'] === 'string' &&
    typeof v['event'] === 'string' &&
    (AUDIT_EVENTS as readonly string[]).includes(v['event']) &&
    typeof v['prev'] === 'string' &&
    /^[0-9a-f]{64}$/.test(v['prev']) &&
    (v['sig'] === undefined || typeof v['sig'] === 'string');
  if (!ok) return null;
  try {
    if (canonicalJson(v) !== text) return null;
  } catch {
    return null;
  }
  return v as unknown as AuditLine;
}
