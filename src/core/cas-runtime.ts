import { CasError, isCasError } from '../errors/cas-error.js';
import type { OwnerConfig } from '../config/owner-config.js';
import { DEFAULT_TLS_IDENTITY, type CasKeys, type TlsIdentity } from '../crypto/cas-keys.js';
import type { Store } from '../store/store.js';
import { requireState, type LifecycleState, type Operation } from './lifecycle.js';
import { readOwner, readOwnerConfig, type OwnerRecord } from './owner-record.js';
import type { AuditHook, CasLogger, Environment, StoreProvider } from './ports.js';
import type { BackupDeps } from './backup/backup-deps.js';
import { RateLimiter } from './rate-limiter.js';
import type { SessionEngine } from './sessions/session-engine.js';

/** What a CAS is built from; `bin/cas.ts` assembles it. */
export interface CasRuntimeDeps {
  readonly keys: CasKeys;
  /** This build's measurement (64 hex). */
  readonly measurement: string;
  readonly version: string;
  readonly platformMode: 'sim';
  readonly logger: CasLogger;
  readonly env: Environment;
  readonly storeProvider: StoreProvider;
  readonly sessions: SessionEngine;
  readonly audit?: AuditHook;
  /** Backup registration (key store, backup key, trusted primaries); absent: not offered. */
  readonly backups?: BackupDeps;
  /**
   * A shared database (PostgreSQL) whose key store has no entry for this CAS does not stop
   * it: it starts `awaiting_registration` until {@link CasRuntime.completeRegistration}
   * finds the entry a registered replica added. False (SQLite): it refuses to start.
   */
  readonly awaitRegistration?: boolean;
}

/** The refusal of a key store that has entries, none of them for this CAS. */
function isNotRegistered(error: unknown): boolean {
  return (
    isCasError(error) &&
    error.code === 'CAS_STORE_UNSEALABLE' &&
    typeof error.details?.['instance'] === 'string'
  );
}

/** Provisioning attempts allowed per minute (amendment 7). */
const PROVISION_ATTEMPTS_PER_MINUTE = 10;

/** The TLS identity an owner config asks for. */
export function tlsIdentityOf(config: OwnerConfig): TlsIdentity {
  const id = config.api_identity;
  if (id === undefined) return DEFAULT_TLS_IDENTITY;
  return { commonName: id.common_name, altNames: id.alt_names ?? DEFAULT_TLS_IDENTITY.altNames };
}

/**
 * The running CAS's mutable state: lifecycle, owner, database, keys. Use cases in `core/`
 * take it as their first argument; nothing else holds state.
 */
export class CasRuntime {
  readonly deps: CasRuntimeDeps;
  readonly provisionLimiter = new RateLimiter(PROVISION_ATTEMPTS_PER_MINUTE, 60_000);
  #state: LifecycleState = 'unprovisioned';
  #keys: CasKeys;
  #store: Store | undefined;
  #owner: OwnerRecord | undefined;
  #token: string | undefined;
  #keyListeners: Array<(keys: CasKeys) => void> = [];
  /** Serialises provisioning so two concurrent attempts cannot both bind an owner. */
  #provisioning: Promise<unknown> = Promise.resolve();

  private constructor(deps: CasRuntimeDeps) {
    this.deps = deps;
    this.#keys = deps.keys;
  }

  /** Opens the database when one exists and reads the lifecycle state from it. */
  static async start(deps: CasRuntimeDeps): Promise<CasRuntime> {
    const rt = new CasRuntime(deps);
    if (deps.storeProvider.exists()) {
      try {
        await rt.#openExisting();
      } catch (error) {
        if (deps.awaitRegistration !== true || !isNotRegistered(error)) throw error;
        rt.#state = 'awaiting_registration';
      }
    } else {
      rt.#token = deps.env.randomBytes(16).toString('hex');
    }
    return rt;
  }

  /**
   * While `awaiting_registration`: tries to open the database again (a registered replica may
   * have added this CAS's entry since) and becomes `provisioned` when it opens. True once
   * provisioned; false while still not registered.
   *
   * @throws whatever else opening the database throws (tampered key store, unreachable, …).
   */
  async completeRegistration(): Promise<boolean> {
    if (this.#state === 'provisioned') return true;
    if (this.#state !== 'awaiting_registration') return false;
    try {
      await this.#openExisting();
      return true;
    } catch (error) {
      if (isNotRegistered(error)) return false;
      throw error;
    }
  }

  /** Opens the existing database and reads owner and owner config from it. */
  async #openExisting(): Promise<void> {
    const deps = this.deps;
    const opened = await deps.storeProvider.open();
    const store = deps.audit?.wrapStore?.(opened) ?? opened;
    const { owner, config } = await store.transaction(async (tx) => ({
      owner: await readOwner(tx),
      config: await readOwnerConfig(tx),
    }));
    if (owner === undefined) {
      await store.close();
      throw new CasError(
        'CAS_SERVER_STATE_INVALID',
        'the database exists but has no owner (an interrupted provisioning?): move it away and start again',
      );
    }
    this.#store = store;
    this.#owner = owner;
    this.#state = 'provisioned';
    await this.setTlsIdentity(tlsIdentityOf(config));
    await deps.audit?.open?.(store, config);
  }

  get state(): LifecycleState {
    return this.#state;
  }

  get keys(): CasKeys {
    return this.#keys;
  }

  get owner(): OwnerRecord | undefined {
    return this.#owner;
  }

  /** The provisioning token while unprovisioned (printed once at start), else undefined. */
  get provisioningToken(): string | undefined {
    return this.#token;
  }

  /** @throws CAS_SERVER_NOT_PROVISIONED / CAS_SERVER_ALREADY_PROVISIONED per the lifecycle table. */
  require(operation: Operation): void {
    requireState(this.#state, operation);
  }

  /** The database; only once provisioned. */
  store(): Store {
    this.require('sessions');
    if (this.#store === undefined) throw new Error('provisioned without a store');
    return this.#store;
  }

  /** Runs provisioning steps one at a time. */
  serialiseProvisioning<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#provisioning.then(fn, fn);
    this.#provisioning = next.catch(() => undefined);
    return next;
  }

  /** Records the new owner (called by the provisioning use case after its commit). */
  async markProvisioned(created: Store, owner: OwnerRecord, config: OwnerConfig): Promise<void> {
    const store = this.deps.audit?.wrapStore?.(created) ?? created;
    this.#store = store;
    this.#owner = owner;
    this.#state = 'provisioned';
    this.#token = undefined;
    await this.setTlsIdentity(tlsIdentityOf(config));
    await this.deps.audit?.open?.(store, config);
  }

  /** Re-issues the TLS leaf for `identity` and tells the listeners (they reload TLS). */
  async setTlsIdentity(identity: TlsIdentity): Promise<void> {
    this.#keys = await this.#keys.reissue(identity);
    for (const listener of this.#keyListeners) listener(this.#keys);
  }

  /** Called with the new keys whenever the TLS leaf changes. */
  onKeysChanged(listener: (keys: CasKeys) => void): void {
    this.#keyListeners.push(listener);
  }

  /** Closes the database. */
  async close(): Promise<void> {
    await this.#store?.close();
    this.#store = undefined;
  }
}
