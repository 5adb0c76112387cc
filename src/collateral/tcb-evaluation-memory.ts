import type { IntelCollateral, TcbEvaluationMemory } from '../attestation/intel/collateral.js';
import { dcapCollateralKey } from '../attestation/intel/collateral-key.js';
import type { Verifier } from '../attestation/verifier.js';

/**
 * Wraps an Intel verifier so that collateral older than what was already accepted for the
 * same TEE and FMSPC is refused (`CAS_ATTESTATION_COLLATERAL_STALE`): a rollback to an earlier
 * TCB evaluation, where a since-downgraded platform was still `UpToDate`, cannot pass. The
 * number is recorded only after a successful verification.
 */
export function rememberTcbEvaluation(
  verifier: Verifier<IntelCollateral>,
  memory: TcbEvaluationMemory,
): Verifier<IntelCollateral> {
  return {
    type: verifier.type,
    async verify(request) {
      const { tee, fmspc } = dcapCollateralKey(request.evidence);
      const seen = await memory.highest(tee, fmspc);
      const given = request.collateral.minTcbEvaluationDataNumber;
      const min = Math.max(seen ?? 0, given ?? 0);
      const claims = await verifier.verify({
        ...request,
        collateral: { ...request.collateral, minTcbEvaluationDataNumber: min },
      });
      const used = claims.extra['tcb_evaluation_data_number'];
      if (typeof used === 'number' && used > (seen ?? -1)) await memory.record(tee, fmspc, used);
      return claims;
    },
  };
}

/** A process-local {@link TcbEvaluationMemory} (tests, the CLI); the CAS keeps its own in the store. */
export function inMemoryTcbEvaluationMemory(): TcbEvaluationMemory {
  const highest = new Map<string, number>();
  return {
    highest: (tee, fmspc) => Promise.resolve(highest.get(`${tee}/${fmspc}`)),
    record(tee, fmspc, n) {
      const key = `${tee}/${fmspc}`;
      highest.set(key, Math.max(n, highest.get(key) ?? n));
      return Promise.resolve();
    },
  };
}
