import type { KeyObject } from 'node:crypto';
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
  /**
   * Private keys of this generation already held as key objects, by their PKCS#8 PEM: a key
   * is made or parsed once, not again by each certificate that uses it or is issued by it.
   */
  readonly keys?: Map<string, KeyObject>;
}

/** One generator per kind: makes a value from a spec (explicit `value` or fresh material). */
export type SecretGenerator = (spec: SecretSpec, ctx: GenerateContext) => Promise<SecretValue>;
