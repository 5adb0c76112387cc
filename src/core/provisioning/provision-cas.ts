import { createHash, timingSafeEqual, X509Certificate } from 'node:crypto';
import { parseOwnerConfig, type OwnerConfig } from '../../config/owner-config.js';
import { keyHashOfCertificate } from '../../crypto/key-hash.js';
import { CasError } from '../../errors/cas-error.js';
import type { CasRuntime } from '../cas-runtime.js';
import type { Caller } from '../caller.js';
import { jsonBytes, type OwnerRecord } from '../owner-record.js';
import { storeKeys } from '../store-keys.js';

/** A provisioning request as `POST /v1/provision` carries it. */
export interface ProvisionRequest {
  readonly token: string;
  readonly casKeyHash: string;
  readonly ownerConfig: string;
  /** The owner's database key (32 bytes), or undefined to have one generated and sealed. */
  readonly databaseKey?: Uint8Array | undefined;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant-time comparison of two strings (their SHA-256 digests have equal length). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** Parses an injected database key given as 64 hex characters. */
export function parseDatabaseKey(hex: string): Uint8Array {
  const clean = hex.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(clean)) {
    throw new CasError(
      'CAS_SERVER_DATABASE_KEY_INVALID',
      'the database key must be 64 hex characters (32 bytes)',
    );
  }
  return Buffer.from(clean, 'hex');
}

/**
 * Binds the owner: creates the database (with the injected key, if any), stores the owner and
 * its config, and moves the CAS to `provisioned`. Shared by remote and self-provisioning.
 */
async function bindOwner(
  rt: CasRuntime,
  options: { ownerCertPem: string; config: OwnerConfig; databaseKey: Uint8Array | undefined },
): Promise<OwnerRecord> {
  const store = await rt.deps.storeProvider.create(options.databaseKey);
  const owner: OwnerRecord = {
    owner_key_hash: keyHashOfCertificate(options.ownerCertPem),
    owner_certificate: new X509Certificate(options.ownerCertPem).toString(),
    provisioned_at: rt.deps.env.now().toISOString(),
    db_key_injected: options.databaseKey !== undefined,
  };
  const bound = await store.transaction(async (tx) => {
    if (!(await tx.compareAndSet(storeKeys.owner(), undefined, jsonBytes(owner)))) return false;
    await tx.put(storeKeys.ownerConfig(), jsonBytes(options.config));
    return true;
  });
  if (!bound) {
    await store.close();
    throw new CasError(
      'CAS_SERVER_ALREADY_PROVISIONED',
      'this CAS is already provisioned: it has an owner',
    );
  }
  await rt.markProvisioned(store, owner, options.config);
  await rt.deps.audit?.record({ event: 'cas_provisioned', caller: owner.owner_key_hash });
  rt.deps.logger.info(
    { owner: owner.owner_key_hash, db_key_injected: owner.db_key_injected },
    options.databaseKey === undefined
      ? 'CAS provisioned'
      : 'CAS provisioned with a database key injected by its owner (reported in its evidence)',
  );
  return owner;
}

/**
 * `scone cas provision`: the caller proves it saw the start-up output (the token) and names
 * the CAS key it expects; it becomes the owner. The token is compared in constant time and
 * attempts are rate-limited; a second provisioning is refused.
 *
 * @throws CAS_SERVER_ALREADY_PROVISIONED, CAS_SERVER_RATE_LIMITED, CAS_SERVER_WRONG_CAS_KEY,
 *   CAS_SERVER_BAD_TOKEN, CAS_CONFIG_*.
 */
export async function provisionCas(
  rt: CasRuntime,
  caller: Caller,
  request: ProvisionRequest,
): Promise<OwnerRecord> {
  return rt.serialiseProvisioning(async () => {
    rt.require('provision');
    if (!rt.provisionLimiter.take(rt.deps.env.now().getTime())) {
      throw new CasError(
        'CAS_SERVER_RATE_LIMITED',
        'too many provisioning attempts; wait a minute',
      );
    }
    if (request.casKeyHash !== rt.keys.casKeyHash) {
      throw new CasError(
        'CAS_SERVER_WRONG_CAS_KEY',
        'the CAS key hash given is not the key of this CAS',
      );
    }
    const token = rt.provisioningToken;
    if (token === undefined || !sameSecret(request.token.toLowerCase(), token)) {
      rt.deps.logger.warn({ caller: caller.keyHash }, 'provisioning refused: wrong token');
      throw new CasError('CAS_SERVER_BAD_TOKEN', 'the provisioning token is wrong');
    }
    const config = parseOwnerConfig(request.ownerConfig, 'owner config');
    return bindOwner(rt, {
      ownerCertPem: caller.certPem,
      config,
      databaseKey: request.databaseKey,
    });
  });
}

/**
 * `cas provision --owner-config F --owner-identity CERT.pem`: provisioning by whoever starts
 * the CAS (images that ship pre-provisioned, tests, air-gapped hosts). No token: starting the
 * process is the proof.
 *
 * @returns false when already provisioned and `skipIfAlreadyProvisioned` is set.
 * @throws CAS_SERVER_ALREADY_PROVISIONED (without the skip flag), CAS_CONFIG_*.
 */
export async function selfProvision(
  rt: CasRuntime,
  options: {
    readonly ownerCertPem: string;
    readonly ownerConfig: string;
    readonly ownerConfigFile: string;
    readonly databaseKey?: Uint8Array | undefined;
    readonly skipIfAlreadyProvisioned: boolean;
  },
): Promise<boolean> {
  return rt.serialiseProvisioning(async () => {
    if (rt.state === 'provisioned' && options.skipIfAlreadyProvisioned) return false;
    rt.require('provision');
    const config = parseOwnerConfig(options.ownerConfig, options.ownerConfigFile);
    await bindOwner(rt, {
      ownerCertPem: options.ownerCertPem,
      config,
      databaseKey: options.databaseKey,
    });
    return true;
  });
}
