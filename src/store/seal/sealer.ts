import type { SecretKey } from '../secret-key.js';

/** The method-specific fields of a wrapped key (base64 and plain strings, for JSON). */
export type WrappedFields = Readonly<Record<string, string>>;

/**
 * What protects the database key for one CAS instance: the simulation seal key file today, a
 * TEE-derived key (SNP `MSG_KEY_REQ`, TPM) later, or an ECDH key pair for a backup CAS.
 */
export interface Sealer {
  /** The method name written into key-store entries, e.g. `sim-seal-aes-256-gcm`. */
  readonly method: string;
  /** One line for the server log; a simulation seal says "simulation". */
  describe(): string;
  /** Wraps `key`; `aad` binds the wrapping to its key-store entry. */
  wrap(key: SecretKey, aad: Uint8Array): Promise<WrappedFields>;
  /** Unwraps, or returns null when this sealer cannot open these fields. */
  unwrap(fields: WrappedFields, aad: Uint8Array): Promise<SecretKey | null>;
}
