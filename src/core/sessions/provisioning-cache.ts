import type { SessionForProvisioning } from './load-for-provisioning.js';

type MetaBytes = Uint8Array | null;

interface Entry {
  readonly meta: Uint8Array;
  /** The stored metadata of every exporter the session imports from (null: absent). */
  readonly exporters: ReadonlyMap<string, MetaBytes>;
  readonly loaded: SessionForProvisioning;
}

function sameBytes(a: MetaBytes, b: MetaBytes | undefined): boolean {
  if (a === null || b === null || b === undefined) return a === b;
  return Buffer.from(a).equals(b);
}

/**
 * Decoded sessions for provisioning, keyed by name and validated by the exact bytes of the
 * session's stored metadata and of its exporters' metadata. Every write of a session (create,
 * update, a new active version) rewrites its metadata in the same transaction as its version
 * and secrets, and the metadata carries the history, so equal bytes mean the same version with
 * the same secrets. An importer's values also come from its exporters: an exporter updated
 * (or gone) since the entry was made invalidates it, so a cached entry can only be served
 * while it is exactly what the database holds.
 *
 * Why: parsing the stored version and decrypting and decoding every secret on each
 * attestation repeated the same work for every workload of a session (bench/README.md,
 * "Profile of the attest path"). The entries hold decrypted secret values in the CAS's memory,
 * where the database key lives too; the bound keeps that memory small.
 */
export class ProvisioningCache {
  readonly #max: number;
  readonly #entries = new Map<string, Entry>();

  constructor(maxEntries = 1000) {
    this.#max = maxEntries;
  }

  /** The exporters whose metadata must be read to validate the entry of `name`, if any. */
  exportersOf(name: string): readonly string[] | undefined {
    const entry = this.#entries.get(name);
    return entry === undefined ? undefined : [...entry.exporters.keys()];
  }

  /**
   * The cached session when its stored metadata is still exactly `meta` and its exporters'
   * metadata exactly `exporters` (as read now, for the names {@link exportersOf} gave).
   */
  get(
    name: string,
    meta: Uint8Array,
    exporters: ReadonlyMap<string, MetaBytes> = new Map(),
  ): SessionForProvisioning | undefined {
    const entry = this.#entries.get(name);
    if (entry === undefined) return undefined;
    const fresh =
      Buffer.from(entry.meta).equals(meta) &&
      [...entry.exporters].every(([exporter, bytes]) => sameBytes(bytes, exporters.get(exporter)));
    if (!fresh) {
      this.#entries.delete(name);
      return undefined;
    }
    // Most recently used last, so the oldest is evicted first.
    this.#entries.delete(name);
    this.#entries.set(name, entry);
    return entry.loaded;
  }

  /** Remembers a session loaded under metadata `meta`, its exporters' under `exporters`. */
  set(
    name: string,
    meta: Uint8Array,
    exporters: ReadonlyMap<string, MetaBytes>,
    loaded: SessionForProvisioning,
  ): void {
    this.#entries.delete(name);
    const copies = new Map(
      [...exporters].map(([k, v]) => [k, v === null ? null : Uint8Array.from(v)]),
    );
    this.#entries.set(name, { meta: Uint8Array.from(meta), exporters: copies, loaded });
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
