import type { SecretSpec } from '../policy/types.js';
import { generateSecrets } from './generate-secrets.js';
import type { SecretPorts } from './generator.js';
import type { SecretValue } from './secret-value.js';

/** True when a certificate value has run out of validity at `now`; false for other kinds. */
export function isExpired(value: SecretValue, now: Date): boolean {
  const d = value.reveal();
  return (d.kind === 'x509' || d.kind === 'x509-ca') && new Date(d.not_after) <= now;
}

/**
 * Re-issues, at provisioning time, every generated certificate whose `valid_for` has run out,
 * and everything issued by a re-issued CA; all other values are kept as they are. Explicit and
 * imported certificates cannot be renewed here and are returned unchanged.
 *
 * @returns the values to provision and the names whose value changed (to store again).
 */
export async function renewIfExpired(
  specs: readonly SecretSpec[],
  values: ReadonlyMap<string, SecretValue>,
  ports: SecretPorts,
  imported?: ReadonlyMap<string, SecretValue>,
): Promise<{ values: Map<string, SecretValue>; renewed: string[] }> {
  if (![...values.values()].some((v) => isExpired(v, ports.now))) {
    return { values: new Map(values), renewed: [] };
  }
  const result = await generateSecrets(specs, ports, {
    previous: values,
    ...(imported === undefined ? {} : { imported }),
  });
  const renewed = [...result.actions]
    .filter(([name, action]) => action === 'generated' && values.has(name))
    .map(([name]) => name);
  return { values: result.values, renewed };
}
