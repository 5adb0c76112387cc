import { parseOwnerConfig } from '../../config/owner-config.js';
import { CasError } from '../../errors/cas-error.js';
import { callerFields } from '../../audit/caller-fields.js';
import { tlsIdentityOf, type CasRuntime } from '../cas-runtime.js';
import type { Caller } from '../caller.js';
import { jsonBytes } from '../owner-record.js';
import { storeKeys } from '../store-keys.js';

/**
 * Throws unless the caller is the owner.
 *
 * @throws CAS_SERVER_NOT_PROVISIONED, CAS_SERVER_NOT_OWNER.
 */
export function requireOwner(rt: CasRuntime, caller: Caller): void {
  rt.require('owner');
  if (rt.owner?.owner_key_hash !== caller.keyHash) {
    throw new CasError('CAS_SERVER_NOT_OWNER', 'only the owner of this CAS may do this');
  }
}

/**
 * `scone cas update-config`: the owner replaces the owner config; the TLS leaf is re-issued
 * when `[api_identity]` changes (same software key, so pinned clients keep working).
 *
 * @throws CAS_SERVER_NOT_OWNER, CAS_CONFIG_*.
 */
export async function updateOwnerConfig(
  rt: CasRuntime,
  caller: Caller,
  text: string,
): Promise<void> {
  requireOwner(rt, caller);
  const config = parseOwnerConfig(text, 'owner config');
  const store = rt.store();
  await store.transaction(async (tx) => {
    await tx.put(storeKeys.ownerConfig(), jsonBytes(config));
    await rt.deps.audit?.record({ event: 'config_updated', ...callerFields(caller) }, tx);
  });
  await rt.setTlsIdentity(tlsIdentityOf(config));
  // A changed [audit_log] mode takes effect now (audit_log_enabled / audit_log_disabled).
  await rt.deps.audit?.open?.(store, config);
  rt.deps.logger.info({ owner: caller.keyHash }, 'owner config updated');
}
