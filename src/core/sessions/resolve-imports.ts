import { parentNamespace } from '../../policy/session-name.js';
import type { AttestationMode, Session } from '../../policy/types.js';
import { importSecret } from '../../secrets/import-secret.js';
import { SecretValue } from '../../secrets/secret-value.js';
import type { StoreTx } from '../../store/store.js';
import { readActive, readSecrets, type StoredSecrets } from './session-records.js';

/** Where an imported secret came from, for the attestation-strength rule (amendment 6). */
export interface ImportSource {
  readonly session: string;
  readonly secret: string;
  /** The exporting session's attestation mode. */
  readonly mode: AttestationMode;
  readonly allowWeakerAttestation: boolean;
}

/** The imports of one session as its exporters allow them now. */
export interface ResolvedImports {
  /** The imported values by the importer's secret name; refused imports are absent. */
  readonly values: Map<string, SecretValue>;
  readonly sources: Map<string, ImportSource>;
  /**
   * The exact stored metadata of every exporter consulted (absent ones map to null), so a
   * cache can tell whether what the importer sees may have changed.
   */
  readonly exporterMeta: ReadonlyMap<string, Uint8Array | null>;
}

/** The stored form of secret values, by name: the inverse of {@link decodeSecrets}. */
export function encodeSecrets(values: Iterable<[string, SecretValue]>): StoredSecrets {
  return Object.fromEntries([...values].map(([name, value]) => [name, value.toStored()]));
}

/** Decodes the stored secret values of one session. */
export function decodeSecrets(record: StoredSecrets): Map<string, SecretValue> {
  return new Map(
    Object.entries(record).map(([name, stored]) => [name, SecretValue.fromStored(stored)]),
  );
}

/**
 * Resolves every `import` of `session` from the active versions of its exporters, by the
 * secrets layer's sharing rules (`importSecret`: export by name with a case-insensitive hash
 * pin, or to a namespace containing the importer at any depth; a certificate's private key
 * only when its key secret is exported to the importer too). The same rules apply at session
 * creation, update and provisioning, so what an importer can be issued with is exactly what
 * it could be provisioned with. A refused import is simply absent: a secret that refers to
 * it, or a placeholder naming it, fails later with its own code.
 *
 * @param importerHash the importer's hash (of the version being written, or the active one).
 */
export async function resolveImports(
  tx: StoreTx,
  session: Session,
  importerHash: string,
): Promise<ResolvedImports> {
  const values = new Map<string, SecretValue>();
  const sources = new Map<string, ImportSource>();
  const exporterMeta = new Map<string, Uint8Array | null>();
  const exporters = new Map<string, Awaited<ReturnType<typeof loadExporter>>>();
  const importer = {
    name: session.name,
    namespace: parentNamespace(session.name),
    hash: importerHash,
  };
  for (const spec of session.secrets) {
    if (spec.import === undefined) continue;
    const from = spec.import.session;
    if (!exporters.has(from)) {
      const loaded = await loadExporter(tx, from);
      exporters.set(from, loaded);
      exporterMeta.set(from, loaded?.bytes ?? null);
    }
    const exporter = exporters.get(from);
    if (exporter === undefined || exporter === null) continue;
    const result = importSecret({
      exporter: exporter.session,
      exporterHash: exporter.hash,
      secretName: spec.import.secret,
      importer,
      ...(spec.kind === undefined ? {} : { expectedKind: spec.kind }),
      exporterValues: exporter.values,
    });
    if ('refused' in result) continue;
    values.set(spec.name, result.value);
    sources.set(spec.name, {
      session: from,
      secret: spec.import.secret,
      mode: exporter.session.security.attestation.mode,
      allowWeakerAttestation: result.decision.allowWeakerAttestation,
    });
  }
  return { values, sources, exporterMeta };
}

async function loadExporter(tx: StoreTx, name: string) {
  const active = await readActive(tx, name);
  if (active === undefined) return null;
  return {
    session: active.version.session,
    hash: active.meta.active,
    bytes: active.bytes,
    values: decodeSecrets(await readSecrets(tx, name)),
  };
}
