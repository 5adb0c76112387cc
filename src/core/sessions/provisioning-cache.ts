import type { SessionForProvisioning } from './load-for-provisioning.js';

/**
 * Decoded sessions for provisioning, keyed by name and validated by the exact bytes of the
 * session's stored metadata. Every write of a session (create, update, a new active version)
 * rewrites its metadata in the same transaction as its version and secrets, and the metadata
 * carries the history, so equal bytes mean the same version with the same secrets: a cached
 * entry can only be served while it is exactly what the database holds. Sessions with imports
 * are never cached (what they may see depends on other sessions).
 *
 * Why: parsing the stored version and decrypting and decoding every secret on each
 * attestation repeated the same work for every workload of a session (bench/README.md,
 * "Profile of the attest path"). The entries hold decrypted secret values in the CAS's memory,
 * where the database key lives too; the bound keeps that memory small.
 */
export class ProvisioningCache {
  readonly #max: number;
  readonly #entries = new Map<
    string,
    { readonly meta: Uint8Array; readonly loaded: SessionForProvisioning }
  >();

  constructor(maxEntries = 1000) {
    this.#max = maxEntries;
  }

  /** The cached session when its stored metadata is still exactly `meta`. */
  get(name: string, meta: Uint8Array): SessionForProvisioning | undefined {
    const entry = this.#entries.get(name);
    if (entry === undefined) return undefined;
    if (!Buffer.from(entry.meta).equals(meta)) {
      this.#entries.delete(name);
      return undefined;
    }
    // Most recently used last, so the oldest is evicted first.
    this.#entries.delete(name);
    this.#entries.set(name, entry);
    return entry.loaded;
  }

  /** Remembers a session loaded under metadata `meta` (not one with imports). */
  set(name: string, meta: Uint8Array, loaded: SessionForProvisioning): void {
    if (loaded.session.secrets.some((s) => s.import !== undefined)) return;
    this.#entries.delete(name);
    this.#entries.set(name, { meta: Uint8Array.from(meta), loaded });
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
