import type { SecretSpec } from '../policy/types.js';
import type { SecretValue } from './secret-value.js';

/** Randomness and time, passed in so that the secrets layer stays pure and testable. */
export interface SecretPorts {
  /** Cryptographically secure random bytes (`crypto.randomBytes` in production). */
  randomBytes(n: number): Buffer;
  /** The current time. */
  readonly now: Date;
}

/** What a generator may use besides its own spec. */
export interface GenerateContext extends SecretPorts {
  /** A secret of the same session (or an import) that is already resolved, by name. */
  resolve(name: string): SecretValue | undefined;
}

/** One generator per kind: makes a value from a spec (explicit `value` or fresh material). */
export type SecretGenerator = (spec: SecretSpec, ctx: GenerateContext) => Promise<SecretValue>;
