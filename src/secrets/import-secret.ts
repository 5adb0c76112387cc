import {
  canImport,
  type CanImportRequest,
  type ImportDecision,
  type ImportRefusal,
} from './can-import.js';
import { importedValue } from './imported-value.js';
import type { SecretValue } from './secret-value.js';

/** Arguments of {@link importSecret}: those of `canImport` plus the exporter's values. */
export interface ImportSecretRequest extends CanImportRequest {
  readonly exporterValues: ReadonlyMap<string, SecretValue>;
}

/** The value an importer gets, or why it gets none. */
export type ImportSecretResult =
  | { readonly value: SecretValue; readonly decision: Extract<ImportDecision, { allowed: true }> }
  | { readonly refused: ImportRefusal | 'no-value' };

/**
 * Resolves one `import` for provisioning or secret generation: decides it with `canImport`
 * and returns the exporter's value as the importer may see it (`importedValue`: a
 * certificate's private key only when its key secret is exported to the importer too). The
 * decision carries `allowWeakerAttestation` for `attestationStrictEnough`.
 */
export function importSecret(req: ImportSecretRequest): ImportSecretResult {
  const decision = canImport(req);
  if (!decision.allowed) return { refused: decision.reason };
  const value = req.exporterValues.get(req.secretName);
  if (value === undefined) return { refused: 'no-value' };
  return { value: importedValue(value, decision.withPrivateKey), decision };
}
