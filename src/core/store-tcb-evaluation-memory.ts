import type { TcbEvaluationMemory } from '../attestation/intel/collateral.js';
import type { Store } from '../store/store.js';
import { metaKey } from '../store/keys.js';

function keyOf(tee: 'sgx' | 'tdx', fmspc: string): string {
  return metaKey(`tcb-evaluation-data-number:${tee}:${fmspc.toLowerCase()}`);
}

function numberOf(bytes: Uint8Array | undefined): number | undefined {
  if (bytes === undefined) return undefined;
  const n = Number(Buffer.from(bytes).toString('utf8'));
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * The highest Intel `tcbEvaluationDataNumber` accepted per TEE and FMSPC, kept in the CAS's
 * database (below the barrier), so that a restart or another replica cannot be rolled back to
 * older collateral under which a since-downgraded platform was still `UpToDate`. `record`
 * only ever raises the number, inside one transaction.
 *
 * @param store the CAS's store, looked up on each call (it opens after provisioning).
 */
export function storeTcbEvaluationMemory(store: () => Store): TcbEvaluationMemory {
  return {
    highest: (tee, fmspc) =>
      store().transaction(async (tx) => numberOf(await tx.get(keyOf(tee, fmspc)))),
    record: (tee, fmspc, n) =>
      store().transaction(async (tx) => {
        const key = keyOf(tee, fmspc);
        const seen = numberOf(await tx.get(key));
        if (seen === undefined || n > seen) await tx.put(key, Buffer.from(String(n), 'utf8'));
      }),
  };
}
