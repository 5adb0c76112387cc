import type { IntelCollateral } from '../attestation/intel/collateral.js';
import { verifierFor } from '../attestation/registry.js';
import type { Verifier } from '../attestation/verifier.js';
import { loadAmdRevocation } from '../collateral/amd-crl-source.js';
import { CollateralFileCache } from '../collateral/collateral-file-cache.js';
import { dcapCollateralLoader, type CollateralLoader } from '../collateral/collateral-loaders.js';
import { rememberTcbEvaluation } from '../collateral/tcb-evaluation-memory.js';
import type { CasRuntime } from './cas-runtime.js';
import type { AttestWorkloadDeps } from './enclave/ports.js';
import { readOwnerConfig } from './owner-record.js';
import {
  loadForProvisioning,
  type SessionForProvisioning,
} from './sessions/load-for-provisioning.js';
import { ProvisioningCache } from './sessions/provisioning-cache.js';
import { renderForProvisioning } from './sessions/render-for-provisioning.js';
import { storeTcbEvaluationMemory } from './store-tcb-evaluation-memory.js';

const INTEL: ReadonlySet<string> = new Set(['sgx-dcap', 'tdx']);
const AMD: ReadonlySet<string> = new Set(['snp', 'tpm']);

/**
 * Collateral for evidence, from the owner config (read on each attestation, and the directory
 * listed, so `update-config` and fresh files apply at once; only changed files are re-read):
 * Intel collateral from `[dcap] collateral_dir`; for SNP and TPM (Azure vTPM, bound by an SNP
 * report), AMD's CRLs from `[snp] crl_dir` when it is set. SNP and TPM evidence over the
 * enclave API carries its certificate chain, so without `crl_dir` they get none.
 *
 * @throws CAS_ATTESTATION_COLLATERAL_MISSING when no Intel directory is configured or it has
 *   none for the quote's TEE and FMSPC, or the CRL directory cannot be read.
 */
async function collateralFor(
  rt: CasRuntime,
  loaders: { readonly dcap: CollateralLoader; readonly files: CollateralFileCache },
  type: string,
  evidence: Uint8Array,
): Promise<unknown> {
  if (!INTEL.has(type) && !AMD.has(type)) return undefined;
  const config = await rt.store().transaction((tx) => readOwnerConfig(tx));
  if (INTEL.has(type)) return loaders.dcap(config.dcap?.collateral_dir, evidence);
  const dir = config.snp?.crl_dir;
  if (dir === undefined) return undefined;
  const revocation = await loadAmdRevocation(dir, loaders.files);
  return type === 'snp' ? { revocation } : { snp: { revocation } };
}

/** What tests may replace in {@link enclaveDeps}. */
export interface EnclaveDepsOptions {
  /** Parsed collateral files kept across attestations (default: 256 files). */
  readonly collateralFiles?: CollateralFileCache;
}

/**
 * What the enclave API needs from this CAS: sessions with their secrets (imports resolved,
 * expired certificates renewed), rendering with the amendment-6 rule, the verifiers (Intel
 * ones refusing collateral older than what this CAS already accepted), collateral, the CAS's
 * logger and audit hook.
 */
export function enclaveDeps(rt: CasRuntime, options: EnclaveDepsOptions = {}): AttestWorkloadDeps {
  const { audit } = rt.deps;
  // One per enclave listener: decoded sessions, checked against the database on every use.
  const cache = new ProvisioningCache();
  const memory = storeTcbEvaluationMemory(() => rt.store());
  const intel = new Map<string, Verifier<never>>();
  // One per enclave listener, like the session cache: collateral parsed once per file version.
  const files = options.collateralFiles ?? new CollateralFileCache();
  const loaders = { dcap: dcapCollateralLoader(files), files };
  return {
    loadForProvisioning: async (name) => {
      const { env } = rt.deps;
      const loaded = await loadForProvisioning(rt.store(), name, {
        cache,
        renew: { now: env.now(), randomBytes: (n) => env.randomBytes(n) },
      });
      return loaded === null
        ? null
        : { session: loaded.session, hash: loaded.hash, values: loaded };
    },
    renderService: (session, service, values) =>
      renderForProvisioning(session, service, values as SessionForProvisioning),
    verifierFor: (type) => {
      if (!INTEL.has(type)) return verifierFor(type);
      let wrapped = intel.get(type);
      if (wrapped === undefined) {
        const base = verifierFor(type) as unknown as Verifier<IntelCollateral>;
        wrapped = rememberTcbEvaluation(base, memory);
        intel.set(type, wrapped);
      }
      return wrapped;
    },
    collateralFor: (type, evidence) => collateralFor(rt, loaders, type, evidence),
    log: rt.deps.logger,
    ...(audit === undefined ? {} : { audit: (event) => audit.record(event) }),
    now: () => rt.deps.env.now(),
  };
}
