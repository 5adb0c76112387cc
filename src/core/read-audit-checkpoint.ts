import { CasError } from '../errors/cas-error.js';
import type { CasRuntime } from './cas-runtime.js';
import type { Caller } from './caller.js';
import { requireOwner } from './provisioning/update-owner-config.js';

/**
 * `GET /v1/audit/checkpoint` (owner only): the committed head of the audit log, signed by the
 * audit key whose certificate the CAS key signed, for `scone cas verify-audit-log`.
 *
 * @throws CAS_SERVER_NOT_OWNER, CAS_AUDIT_NO_CHECKPOINT.
 */
export async function readAuditCheckpoint(rt: CasRuntime, caller: Caller): Promise<unknown> {
  requireOwner(rt, caller);
  const checkpoint = await rt.deps.audit?.checkpoint?.();
  if (checkpoint === undefined) {
    throw new CasError(
      'CAS_AUDIT_NO_CHECKPOINT',
      'this CAS has no audit checkpoint: its audit log was never enabled ([audit_log] mode in the owner config)',
    );
  }
  return checkpoint;
}
