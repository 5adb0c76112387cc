import { sign, verify } from 'node:crypto';
import { canonicalJson } from '../encoding/canonical-json.js';
import { openAuditCertificate, type AuditKey, type AuditKeyCertificate } from './audit-key.js';

/**
 * The committed head of the audit log as the CAS states it: seq and hash of the last line
 * whose transaction committed, signed by the audit key, whose certificate (signed by the CAS
 * key) comes with it.
 */
export interface SignedCheckpoint {
  readonly seq: number;
  readonly hash: string;
  readonly time: string;
  readonly mode: string;
  readonly cas_key_hash: string;
  readonly certificate: AuditKeyCertificate;
  readonly sig: string;
}

/** Signs a checkpoint with the audit key of this process. */
export function signCheckpoint(
  head: { readonly seq: number; readonly hash: string },
  options: { readonly key: AuditKey; readonly mode: string; readonly now: Date },
): SignedCheckpoint {
  const body = {
    seq: head.seq,
    hash: head.hash,
    time: options.now.toISOString(),
    mode: options.mode,
    cas_key_hash: options.key.certificate.cas_key_hash,
    certificate: options.key.certificate,
  };
  const sig = sign('sha256', Buffer.from(canonicalJson(body), 'utf8'), options.key.privateKey);
  return { ...body, sig: sig.toString('base64') };
}

/** A checkpoint checked against the expected CAS key, or why it was not accepted. */
export type CheckpointCheck =
  | { readonly ok: true; readonly seq: number; readonly hash: string }
  | { readonly ok: false; readonly problem: 'other_cas' | 'invalid'; readonly detail: string };

/** Checks a checkpoint's certificate (CAS key) and signature (audit key). */
export function verifyCheckpoint(value: unknown, expectedCasKeyHash: string): CheckpointCheck {
  if (typeof value !== 'object' || value === null) {
    return { ok: false, problem: 'invalid', detail: 'the checkpoint is not an object' };
  }
  const { sig, ...body } = value as Record<string, unknown>;
  const opened = openAuditCertificate(body['certificate'], expectedCasKeyHash);
  if ('problem' in opened) {
    return opened.problem === 'other_cas'
      ? {
          ok: false,
          problem: 'other_cas',
          detail: `the checkpoint is from CAS ${opened.casKeyHash ?? '?'}`,
        }
      : { ok: false, problem: 'invalid', detail: 'the checkpoint certificate does not verify' };
  }
  const seq = body['seq'];
  const hash = body['hash'];
  let valid: boolean;
  try {
    valid =
      typeof sig === 'string' &&
      verify(
        'sha256',
        Buffer.from(canonicalJson(body), 'utf8'),
        opened.key,
        Buffer.from(sig, 'base64'),
      );
  } catch {
    valid = false;
  }
  if (!valid || !Number.isSafeInteger(seq) || typeof hash !== 'string') {
    return { ok: false, problem: 'invalid', detail: 'the checkpoint signature does not verify' };
  }
  return { ok: true, seq: seq as number, hash };
}
