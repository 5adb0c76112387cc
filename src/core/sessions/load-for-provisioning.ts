import type { Session } from '../../policy/types.js';
import type { SecretPorts } from '../../secrets/generator.js';
import { isExpired, renewIfExpired } from '../../secrets/renew-if-expired.js';
import type { SecretValue } from '../../secrets/secret-value.js';
import type { Store, StoreTx } from '../../store/store.js';
import { jsonBytes } from '../owner-record.js';
import { storeKeys } from '../store-keys.js';
import { ProvisioningCache } from './provisioning-cache.js';
import {
  decodeSecrets,
  resolveImports,
  type ImportSource,
  type ResolvedImports,
} from './resolve-imports.js';
import { readMeta, readSecrets, readVersion } from './session-records.js';

export { decodeSecrets, type ImportSource } from './resolve-imports.js';

/** A session as provisioning needs it. */
export interface SessionForProvisioning {
  readonly session: Session;
  readonly hash: string;
  /** Every secret value by name, imports resolved; an import not exported to it is absent. */
  readonly values: ReadonlyMap<string, SecretValue>;
  readonly imports: ReadonlyMap<string, ImportSource>;
}

/** Options of {@link loadForProvisioning}. */
export interface LoadForProvisioningOptions {
  readonly cache?: ProvisioningCache;
  /**
   * Time and randomness: with them, a generated certificate whose `valid_for` has run out is
   * re-issued (with what it issued) and stored before it is provisioned.
   */
  readonly renew?: SecretPorts;
}

async function exporterMetaNow(
  tx: StoreTx,
  names: Iterable<string>,
): Promise<Map<string, Uint8Array | null>> {
  const out = new Map<string, Uint8Array | null>();
  for (const name of names) out.set(name, (await readMeta(tx, name))?.bytes ?? null);
  return out;
}

function hasExpired(loaded: SessionForProvisioning, now: Date): boolean {
  return [...loaded.values].some(([name, v]) => !loaded.imports.has(name) && isExpired(v, now));
}

/**
 * Re-issues the session's expired certificates and stores the renewed values, in the
 * transaction that read them and only while the session's metadata is unchanged (an update
 * in between wins; its own values are then provisioned next time).
 */
async function renewExpired(
  tx: StoreTx,
  name: string,
  meta: Uint8Array,
  loaded: SessionForProvisioning,
  own: ReadonlyMap<string, SecretValue>,
  imported: ResolvedImports,
  ports: SecretPorts,
): Promise<SessionForProvisioning> {
  const renewal = await renewIfExpired(loaded.session.secrets, own, ports, imported.values);
  if (renewal.renewed.length === 0) return loaded;
  // Writing the metadata back unchanged is the check that no update came in between.
  if (!(await tx.compareAndSet(storeKeys.sessionMeta(name), meta, meta))) return loaded;
  for (const secret of renewal.renewed) {
    const value = renewal.values.get(secret);
    if (value !== undefined) {
      await tx.put(storeKeys.secret(name, secret), jsonBytes(value.toStored()));
    }
  }
  return { ...loaded, values: renewal.values };
}

/**
 * Loads the active version of a session with its secret values for provisioning a workload
 * (the enclave API calls this after attestation). Imported secrets are resolved from their
 * exporters by the secrets layer's sharing rules (`resolveImports`). No access policy is
 * checked here: the enclave API's attestation decides.
 *
 * With a `cache`, a session whose stored metadata, and that of every exporter it imports
 * from, is unchanged since it was last loaded is served without reading its version and
 * secrets again ({@link ProvisioningCache}). With `renew`, expired certificates are re-issued
 * first (session-language.md: "re-issued when it is next provisioned").
 *
 * @returns null when there is no such session.
 */
export async function loadForProvisioning(
  store: Store,
  sessionName: string,
  options: LoadForProvisioningOptions | ProvisioningCache = {},
): Promise<SessionForProvisioning | null> {
  const { cache, renew } =
    options instanceof ProvisioningCache ? { cache: options, renew: undefined } : options;
  const read = await store.transaction(async (tx) => {
    const loadedMeta = await readMeta(tx, sessionName);
    if (loadedMeta === undefined) return null;
    const exporters = cache?.exportersOf(sessionName);
    if (exporters !== undefined) {
      const cached = cache?.get(
        sessionName,
        loadedMeta.bytes,
        await exporterMetaNow(tx, exporters),
      );
      if (cached !== undefined && (renew === undefined || !hasExpired(cached, renew.now))) {
        return { loaded: cached, save: undefined };
      }
    }
    const { meta } = loadedMeta;
    const { session } = await readVersion(tx, sessionName, meta.history.length - 1);
    const hash = meta.active;
    const own = decodeSecrets(await readSecrets(tx, sessionName));
    const imported = await resolveImports(tx, session, hash);
    let loaded: SessionForProvisioning = {
      session,
      hash,
      values: new Map([...own, ...imported.values]),
      imports: imported.sources,
    };
    if (renew !== undefined && hasExpired(loaded, renew.now)) {
      loaded = await renewExpired(tx, sessionName, loadedMeta.bytes, loaded, own, imported, renew);
    }
    return { loaded, save: { meta: loadedMeta.bytes, exporters: imported.exporterMeta } };
  });
  if (read === null) return null;
  // After the commit: a PostgreSQL transaction may run more than once.
  if (read.save !== undefined) {
    cache?.set(sessionName, read.save.meta, read.save.exporters, read.loaded);
  }
  return read.loaded;
}
