import { parentNamespace } from '../policy/session-name.js';
import type { ExportTarget, Hex, SecretKind, Session } from '../policy/types.js';

/** The session that asks to import, as the server knows it. */
export interface Importer {
  readonly name: string;
  /**
   * Its namespace (`a/b` for `a/b/c`, `NS` for `NS~rest`: `parentNamespace(name)` of the
   * policy layer), or null at the top level.
   */
  readonly namespace: string | null;
  /** The hash of its current version (absent while it is being created). */
  readonly hash?: Hex;
}

/** Arguments of {@link canImport}. */
export interface CanImportRequest {
  readonly exporter: Session;
  /** The hash of the exporter's active version, echoed in the decision for the audit trail. */
  readonly exporterHash: Hex;
  readonly secretName: string;
  readonly importer: Importer;
  /** The kind the importing file states, if it states one (checked against the exporter's). */
  readonly expectedKind?: SecretKind;
}

/** Why an import is refused. */
export type ImportRefusal =
  'no-such-secret' | 'not-exported' | 'kind-mismatch' | 'secret-is-imported';

/** The decision of {@link canImport}. */
export type ImportDecision =
  | {
      readonly allowed: true;
      readonly kind: SecretKind;
      readonly exporterHash: Hex;
      /** Whether the certificate's private key comes along (its key secret is exported too). */
      readonly withPrivateKey: boolean;
      /** Whether the export allows a service attested less strictly than the exporter. */
      readonly allowWeakerAttestation: boolean;
    }
  | { readonly allowed: false; readonly reason: ImportRefusal };

/**
 * Decides whether `importer` may import `secretName` from `exporter`. The secret must list an
 * export target that names the importer's session (when the target pins `session_hash`, the
 * importer's current hash must equal it: exporting by name alone would let whoever later
 * claims that name get the secret) or a namespace that contains the importer, directly or
 * nested. A certificate brings its private key only when its `private_key` secret is exported
 * to the importer too; a certificate whose key was generated with it never brings the key.
 * Secrets that are themselves imports are not re-exported.
 */
export function canImport(req: CanImportRequest): ImportDecision {
  const spec = req.exporter.secrets.find((s) => s.name === req.secretName);
  if (spec === undefined || spec.kind === undefined)
    return { allowed: false, reason: 'no-such-secret' };
  if (spec.import !== undefined) return { allowed: false, reason: 'secret-is-imported' };
  const target = (spec.export ?? []).find((t) => matchesTarget(t, req.importer));
  if (target === undefined) return { allowed: false, reason: 'not-exported' };
  if (req.expectedKind !== undefined && req.expectedKind !== spec.kind) {
    return { allowed: false, reason: 'kind-mismatch' };
  }
  let withPrivateKey = false;
  if ((spec.kind === 'x509' || spec.kind === 'x509-ca') && spec.private_key !== undefined) {
    const key = req.exporter.secrets.find((s) => s.name === spec.private_key);
    withPrivateKey =
      key !== undefined &&
      key.import === undefined &&
      (key.export ?? []).some((t) => matchesTarget(t, req.importer));
  }
  return {
    allowed: true,
    kind: spec.kind,
    exporterHash: req.exporterHash,
    withPrivateKey,
    allowWeakerAttestation: target.allow_weaker_attestation === true,
  };
}

/**
 * Whether one export target covers an importer: by session name (and `session_hash` when the
 * target pins one, compared with the importer's hash, case-insensitively), or by namespace
 * (the importer's namespace equals it or is nested inside it).
 */
export function matchesTarget(target: ExportTarget, importer: Importer): boolean {
  if ('session' in target) {
    if (target.session !== importer.name) return false;
    if (target.session_hash === undefined) return true;
    return (
      importer.hash !== undefined &&
      importer.hash.toLowerCase() === target.session_hash.toLowerCase()
    );
  }
  // Walk up the namespace chain (`a/b/c` → `a/b` → `a`, `NS~x` → `NS`), so nested sessions
  // are covered whichever naming convention made them.
  for (let ns = importer.namespace; ns !== null; ns = parentNamespace(ns)) {
    if (ns === target.namespace) return true;
  }
  return false;
}
