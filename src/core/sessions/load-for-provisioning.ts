import type { AttestationMode, ExportTarget, Session } from '../../policy/types.js';
import { SecretValue } from '../../secrets/secret-value.js';
import type { Store, StoreTx } from '../../store/store.js';
import type { ProvisioningCache } from './provisioning-cache.js';
import {
  readActive,
  readMeta,
  readSecrets,
  readVersion,
  type StoredSecrets,
} from './session-records.js';

/** Where an imported secret came from, for the attestation-strength rule (amendment 6). */
export interface ImportSource {
  readonly session: string;
  readonly secret: string;
  /** The exporting session's attestation mode. */
  readonly mode: AttestationMode;
  readonly allowWeakerAttestation: boolean;
}

/** A session as provisioning needs it. */
export interface SessionForProvisioning {
  readonly session: Session;
  readonly hash: string;
  /** Every secret value by name, imports resolved; an import not exported to it is absent. */
  readonly values: ReadonlyMap<string, SecretValue>;
  readonly imports: ReadonlyMap<string, ImportSource>;
}

/** Decodes the stored secret values of one session. */
export function decodeSecrets(record: StoredSecrets): Map<string, SecretValue> {
  return new Map(
    Object.entries(record).map(([name, stored]) => [name, SecretValue.fromStored(stored)]),
  );
}

function exportedTo(
  targets: readonly ExportTarget[],
  name: string,
  hash: string,
): ExportTarget | undefined {
  return targets.find((t) =>
    'namespace' in t
      ? name.startsWith(`${t.namespace}/`) || name.startsWith(`${t.namespace}~`)
      : t.session === name && (t.session_hash === undefined || t.session_hash === hash),
  );
}

async function resolveImport(
  tx: StoreTx,
  importer: { name: string; hash: string },
  source: { session: string; secret: string },
): Promise<{ value: SecretValue; from: ImportSource } | undefined> {
  const exporter = await readActive(tx, source.session);
  if (exporter === undefined) return undefined;
  const spec = exporter.version.session.secrets.find((s) => s.name === source.secret);
  const target =
    spec === undefined ? undefined : exportedTo(spec.export ?? [], importer.name, importer.hash);
  if (target === undefined) return undefined;
  const value = decodeSecrets(await readSecrets(tx, source.session)).get(source.secret);
  if (value === undefined) return undefined;
  return {
    value,
    from: {
      session: source.session,
      secret: source.secret,
      mode: exporter.version.session.security.attestation.mode,
      allowWeakerAttestation: target.allow_weaker_attestation === true,
    },
  };
}

/**
 * Loads the active version of a session with its secret values for provisioning a workload
 * (the enclave API calls this after attestation). Imported secrets are resolved from their
 * exporters when the exporter exports them to this session (by name, optionally pinned by
 * hash) or to its namespace. No access policy is checked here: the enclave API's attestation
 * decides.
 *
 * With a `cache`, a session whose stored metadata is unchanged since it was last loaded costs
 * one read (the metadata) instead of the version and every secret ({@link ProvisioningCache}).
 *
 * @returns null when there is no such session.
 */
export async function loadForProvisioning(
  store: Store,
  sessionName: string,
  cache?: ProvisioningCache,
): Promise<SessionForProvisioning | null> {
  const read = await store.transaction(async (tx) => {
    const loadedMeta = await readMeta(tx, sessionName);
    if (loadedMeta === undefined) return null;
    const cached = cache?.get(sessionName, loadedMeta.bytes);
    if (cached !== undefined) return { loaded: cached, meta: undefined };
    const { meta } = loadedMeta;
    const { session } = await readVersion(tx, sessionName, meta.history.length - 1);
    const hash = meta.active;
    const values = decodeSecrets(await readSecrets(tx, sessionName));
    const imports = new Map<string, ImportSource>();
    for (const spec of session.secrets) {
      if (spec.import === undefined) continue;
      const resolved = await resolveImport(tx, { name: sessionName, hash }, spec.import);
      if (resolved === undefined) continue;
      values.set(spec.name, resolved.value);
      imports.set(spec.name, resolved.from);
    }
    return { loaded: { session, hash, values, imports }, meta: loadedMeta.bytes };
  });
  if (read === null) return null;
  // After the commit: a PostgreSQL transaction may run more than once.
  if (read.meta !== undefined) cache?.set(sessionName, read.meta, read.loaded);
  return read.loaded;
}
