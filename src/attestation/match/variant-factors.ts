/**
 * Whether one attestation variant's factors hold for verified claims (`session-language.md`,
 * "Attestation of services"). Every factor present must hold (AND); a factor that does not
 * apply to the evidence type does not hold. Hex is compared case-insensitively. Each mismatch
 * is described with the observed and the expected value, for the CAS log.
 */
import type { Claims } from '../verifier.js';
import type { AttestationVariant, SignerFactor, SnpFactor } from '../../policy/types.js';

type Mismatches = string[];

const lower = (value: string | undefined): string | undefined => value?.toLowerCase();

function applies(claims: Claims, factor: string, types: readonly string[]): string | null {
  return types.includes(claims.type) ? null : `${factor} does not apply to ${claims.type} evidence`;
}

function compareRegisters(
  claims: Claims,
  factor: string,
  expected: Readonly<Record<string, string | undefined>>,
): Mismatches {
  const entries = Object.entries(expected).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  if (entries.length === 0) return [`${factor} names no measurement`];
  const out: Mismatches = [];
  for (const [name, value] of entries) {
    const observed = claims.measurements[name];
    if (observed === undefined) out.push(`${factor}.${name}: not in the evidence`);
    else if (observed.toLowerCase() !== value.toLowerCase())
      out.push(`${factor}.${name}: observed ${observed}, expected ${value.toLowerCase()}`);
  }
  return out;
}

function signerMismatches(claims: Claims, signer: SignerFactor): Mismatches {
  const out: Mismatches = [];
  const mrsigner = claims.measurements['mrsigner'];
  if (lower(mrsigner) !== signer.mrsigner.toLowerCase()) {
    out.push(
      `signer.mrsigner: observed ${mrsigner ?? 'none'}, expected ${signer.mrsigner.toLowerCase()}`,
    );
  }
  const isvprodid = claims.extra['isvprodid'];
  if (isvprodid !== signer.isvprodid)
    out.push(`signer.isvprodid: observed ${String(isvprodid)}, expected ${signer.isvprodid}`);
  const svn = claims.extra['isvsvn'];
  if (typeof svn !== 'number') {
    out.push('signer.isvsvn: not in the evidence');
    return out;
  }
  if (signer.isvsvn !== undefined && svn !== signer.isvsvn)
    out.push(`signer.isvsvn: observed ${svn}, expected ${signer.isvsvn}`);
  if (signer.isvsvn_min !== undefined && svn < signer.isvsvn_min)
    out.push(`signer.isvsvn: observed ${svn}, expected at least ${signer.isvsvn_min}`);
  if (signer.isvsvn_max !== undefined && svn > signer.isvsvn_max)
    out.push(`signer.isvsvn: observed ${svn}, expected at most ${signer.isvsvn_max}`);
  return out;
}

function snpMismatches(claims: Claims, snp: SnpFactor): Mismatches {
  // The launch measurement is the guest's identity: an snp factor without it would accept
  // any guest of the family, so it matches nothing (fail closed).
  if (snp.measurement === undefined) return ['snp factor names no measurement'];
  const out = compareRegisters(claims, 'snp', {
    measurement: snp.measurement,
    host_data: snp.host_data,
  });
  if (snp.family !== undefined && claims.extra['family'] !== snp.family) {
    out.push(`snp.family: observed ${String(claims.extra['family'])}, expected ${snp.family}`);
  }
  if (snp.min_tcb !== undefined) {
    const reported = claims.extra['reported_tcb'] as Readonly<Record<string, unknown>> | undefined;
    for (const [name, minimum] of Object.entries(snp.min_tcb)) {
      if (minimum === undefined) continue;
      const value = reported?.[name];
      if (typeof value !== 'number' || value < minimum) {
        out.push(`snp.min_tcb.${name}: observed ${String(value)}, expected at least ${minimum}`);
      }
    }
  }
  return out;
}

/** The reasons `variant` does not hold for `claims`; empty when it holds. */
export function variantMismatches(claims: Claims, variant: AttestationVariant): Mismatches {
  const out: Mismatches = [];
  let factors = 0;
  const check = (factor: string, types: readonly string[], run: () => Mismatches): void => {
    factors += 1;
    const notApplicable = applies(claims, factor, types);
    out.push(...(notApplicable === null ? run() : [notApplicable]));
  };
  if (variant.mrenclave !== undefined) {
    const list = variant.mrenclave;
    check('mrenclave', ['sgx-dcap', 'sim'], () => {
      const observed = claims.measurements['mrenclave'];
      return observed !== undefined && list.some((m) => m.toLowerCase() === observed.toLowerCase())
        ? []
        : [
            `mrenclave: observed ${observed ?? 'none'}, expected one of ${list.map((m) => m.toLowerCase()).join(', ')}`,
          ];
    });
  }
  if (variant.signer !== undefined) {
    const signer = variant.signer;
    check('signer', ['sgx-dcap', 'sim'], () => signerMismatches(claims, signer));
  }
  if (variant.tdx !== undefined) {
    const tdx = variant.tdx;
    check('tdx', ['tdx'], () => compareRegisters(claims, 'tdx', { ...tdx }));
  }
  if (variant.snp !== undefined) {
    const snp = variant.snp;
    check('snp', ['snp'], () => snpMismatches(claims, snp));
  }
  if (variant.nitro !== undefined) {
    const nitro = variant.nitro;
    check('nitro', ['nitro'], () => {
      const bad = Object.keys(nitro).filter((key) => !/^pcr([0-9]|[12][0-9]|3[01])$/.test(key));
      return bad.length > 0
        ? [`nitro: ${bad.join(', ')} is not a PCR name`]
        : compareRegisters(claims, 'nitro', nitro);
    });
  }
  if (variant.tpm !== undefined) {
    const tpm = variant.tpm;
    check('tpm', ['tpm'], () => {
      const bad = Object.keys(tpm).filter((key) => !/^pcr([0-9]|1[0-9]|2[0-3])$/.test(key));
      return bad.length > 0
        ? [`tpm: ${bad.join(', ')} is not a PCR name`]
        : compareRegisters(claims, 'tpm', tpm);
    });
  }
  if (factors === 0) out.push('the variant has no factor');
  return out;
}
