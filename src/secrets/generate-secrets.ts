import type { SecretSpec } from '../policy/types.js';
import { CasError } from '../errors/cas-error.js';
import { canKeep } from './can-keep.js';
import { generateSecret } from './generate-secret.js';
import type { GenerateContext, SecretPorts } from './generator.js';
import type { SecretValue } from './secret-value.js';

/** What happened to one secret: kept from before, freshly generated, or taken as given. */
export type SecretAction = 'kept' | 'generated' | 'explicit' | 'imported' | 'unresolved-import';

/** Options of {@link generateSecrets}. */
export interface GenerateSecretsOptions {
  /** Values that may be kept when they still satisfy their spec (see `canKeep`). */
  readonly previous?: ReadonlyMap<string, SecretValue>;
  /** Values of the session's `import` secrets, resolved by the caller from their exporters. */
  readonly imported?: ReadonlyMap<string, SecretValue>;
}

/** The values of a session's secrets and what was done for each. */
export interface GenerateSecretsResult {
  readonly values: Map<string, SecretValue>;
  readonly actions: Map<string, SecretAction>;
}

/**
 * Makes the values of all secrets of a session, in dependency order (keys before the public
 * keys and certificates that name them, issuers before what they issue). A previous value is
 * kept when it still satisfies its spec; a certificate whose key or issuer changed, or that
 * expired, is re-issued. Imports take the value the caller resolved; an import without one is
 * left out (`unresolved-import`), and a secret that refers to it fails.
 *
 * @throws CAS_SECRETS_BAD_REFERENCE for a reference cycle, and the codes of each kind.
 */
export async function generateSecrets(
  specs: readonly SecretSpec[],
  ports: SecretPorts,
  options: GenerateSecretsOptions = {},
): Promise<GenerateSecretsResult> {
  const values = new Map<string, SecretValue>();
  const actions = new Map<string, SecretAction>();
  const ctx: GenerateContext = {
    randomBytes: (n) => ports.randomBytes(n),
    now: ports.now,
    resolve: (name) => values.get(name),
    keys: new Map(),
  };
  for (const spec of dependencyOrder(specs)) {
    if (spec.import !== undefined) {
      const value = options.imported?.get(spec.name);
      if (value === undefined) {
        actions.set(spec.name, 'unresolved-import');
        continue;
      }
      values.set(spec.name, value);
      actions.set(spec.name, 'imported');
      continue;
    }
    const previous = options.previous?.get(spec.name);
    if (previous !== undefined && canKeep(spec, previous, (n) => values.get(n), ports.now)) {
      values.set(spec.name, previous);
      actions.set(spec.name, 'kept');
      continue;
    }
    values.set(spec.name, await generateSecret(spec, ctx));
    actions.set(spec.name, spec.value === undefined ? 'generated' : 'explicit');
  }
  return { values, actions };
}

/**
 * The specs ordered so that every `private_key` and `issuer` reference to a secret of the same
 * list comes first. References to names outside the list are left for the generator to report.
 *
 * @throws CAS_SECRETS_BAD_REFERENCE on a cycle.
 */
export function dependencyOrder(specs: readonly SecretSpec[]): SecretSpec[] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const out: SecretSpec[] = [];
  const visit = (spec: SecretSpec, path: readonly string[]): void => {
    const seen = state.get(spec.name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      throw new CasError(
        'CAS_SECRETS_BAD_REFERENCE',
        `secrets refer to each other in a cycle: ${[...path, spec.name].join(' -> ')}`,
      );
    }
    state.set(spec.name, 'visiting');
    // Explicit values are checked against their key and issuer, so those come first too.
    if (spec.import === undefined) {
      for (const ref of [spec.private_key, spec.issuer]) {
        const dep = ref === undefined ? undefined : byName.get(ref);
        if (dep !== undefined) visit(dep, [...path, spec.name]);
      }
    }
    state.set(spec.name, 'done');
    out.push(spec);
  };
  for (const spec of specs) visit(spec, []);
  return out;
}
