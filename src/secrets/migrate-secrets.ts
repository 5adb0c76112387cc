import type { SecretSpec } from '../policy/types.js';
import { generateSecrets, type GenerateSecretsResult } from './generate-secrets.js';
import type { SecretPorts } from './generator.js';
import type { SecretValue } from './secret-value.js';

/** What an update did to one secret of the new version. */
export type MigrationDecision =
  'kept' | 'regenerated' | 'generated' | 'explicit' | 'imported' | 'unresolved-import';

/** The values of the new version and the decision taken for each secret. */
export interface MigrationResult extends GenerateSecretsResult {
  readonly decisions: Map<string, MigrationDecision>;
}

/**
 * Carries secrets over a session update, by SCONE's rules (scone-reference §1.4) with our
 * deliberate deviation for certificates:
 * - a secret with the same name and kind keeps its generated value (`ascii`, `binary` while
 *   the size is unchanged);
 * - a `private-key` is kept only when both versions say `migrate: true` (and the key type is
 *   unchanged); otherwise a new key is generated;
 * - `public-key` follows its private key;
 * - `x509`/`x509-ca` are kept while their parameters, key and issuer are unchanged and they
 *   have not expired (SCONE re-issues them on every update), and re-issued otherwise;
 * - explicit values follow the new file; imports follow their exporter.
 *
 * A secret that existed before and could not be kept is `regenerated`; one new in this version
 * is `generated`.
 */
export async function migrateSecrets(
  oldSpecs: readonly SecretSpec[],
  oldValues: ReadonlyMap<string, SecretValue>,
  newSpecs: readonly SecretSpec[],
  ports: SecretPorts,
  imported?: ReadonlyMap<string, SecretValue>,
): Promise<MigrationResult> {
  const oldByName = new Map(oldSpecs.map((s) => [s.name, s]));
  const previous = new Map<string, SecretValue>();
  for (const spec of newSpecs) {
    const old = oldByName.get(spec.name);
    const value = oldValues.get(spec.name);
    if (old === undefined || value === undefined) continue;
    if (old.import !== undefined || old.value !== undefined || old.kind !== spec.kind) continue;
    if (spec.kind === 'private-key' && !(old.migrate === true && spec.migrate === true)) continue;
    previous.set(spec.name, value);
  }
  const result = await generateSecrets(newSpecs, ports, {
    previous,
    ...(imported === undefined ? {} : { imported }),
  });
  const decisions = new Map<string, MigrationDecision>();
  for (const [name, action] of result.actions) {
    const existed = oldValues.has(name) && oldByName.has(name);
    decisions.set(name, action === 'generated' && existed ? 'regenerated' : action);
  }
  return { ...result, decisions };
}
