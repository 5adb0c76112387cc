import type { KeyType, SecretKind } from '../policy/types.js';
import { CasError } from '../errors/cas-error.js';

/** Where a value came from: generated inside the CAS, written in the session, or imported. */
export type SecretOrigin = 'generated' | 'explicit' | 'imported';

/** A printable password or token. */
export interface AsciiData {
  readonly kind: 'ascii';
  readonly origin: SecretOrigin;
  readonly text: string;
}

/** Random or explicit bytes, stored as lowercase hex. */
export interface BinaryData {
  readonly kind: 'binary';
  readonly origin: SecretOrigin;
  readonly hex: string;
}

/** A private key as PKCS#8 PEM, with the SHA-256 of its public key's SPKI DER. */
export interface PrivateKeyData {
  readonly kind: 'private-key';
  readonly origin: SecretOrigin;
  readonly key_type: KeyType;
  readonly pkcs8_pem: string;
  readonly spki_sha256: string;
}

/** A public key as SPKI PEM. */
export interface PublicKeyData {
  readonly kind: 'public-key';
  readonly origin: SecretOrigin;
  readonly spki_pem: string;
  readonly spki_sha256: string;
}

/**
 * A certificate (`x509`) or CA certificate (`x509-ca`) with what re-issue decisions need: the
 * fingerprint of the issuer certificate it was signed by (null when self-signed), the
 * fingerprint of its key, the hash of the parameters it was issued with, and its validity.
 */
export interface CertificateData {
  readonly kind: 'x509' | 'x509-ca';
  readonly origin: SecretOrigin;
  readonly certificate_pem: string;
  /** Issuer certificates from the direct issuer up to the root, excluding this one. */
  readonly chain_pem: readonly string[];
  /** Absent for an imported certificate whose key was not exported with it. */
  readonly private_key_pem?: string;
  readonly key_type?: KeyType;
  readonly spki_sha256: string;
  readonly issuer_sha256: string | null;
  readonly params_sha256: string;
  readonly not_before: string;
  readonly not_after: string;
}

/** Arbitrary YAML data, kept as it was written. */
export interface ConfigFragmentData {
  readonly kind: 'config-fragment';
  readonly origin: SecretOrigin;
  readonly data: unknown;
}

/** The stored, JSON-able form of every secret value. */
export type SecretData =
  AsciiData | BinaryData | PrivateKeyData | PublicKeyData | CertificateData | ConfigFragmentData;

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/**
 * One secret value in memory. The material is held in a private field: `JSON.stringify` and
 * `util.inspect` show only the kind, origin and non-secret metadata, so a stray log line never
 * prints a secret. Storage calls {@link SecretValue.toStored} explicitly and gets the data back
 * with {@link SecretValue.fromStored}.
 */
export class SecretValue {
  readonly #data: SecretData;

  constructor(data: SecretData) {
    this.#data = data;
  }

  /** The kind of the value. */
  get kind(): SecretKind {
    return this.#data.kind;
  }

  /** Where the value came from. */
  get origin(): SecretOrigin {
    return this.#data.origin;
  }

  /** The material itself, for the renderers and generators of this layer. */
  reveal(): SecretData {
    return this.#data;
  }

  /** The JSON-able form to store (through the encryption barrier only). */
  toStored(): SecretData {
    return this.#data;
  }

  /** Non-secret facts: kind, origin, and for certificates their validity and fingerprints. */
  describe(): Record<string, unknown> {
    const d = this.#data;
    const base = { kind: d.kind, origin: d.origin, redacted: true };
    switch (d.kind) {
      case 'x509':
      case 'x509-ca':
        return {
          ...base,
          not_before: d.not_before,
          not_after: d.not_after,
          spki_sha256: d.spki_sha256,
          issuer_sha256: d.issuer_sha256,
          has_private_key: d.private_key_pem !== undefined,
        };
      case 'private-key':
        return { ...base, key_type: d.key_type, spki_sha256: d.spki_sha256 };
      case 'public-key':
        return { ...base, spki_sha256: d.spki_sha256 };
      case 'ascii':
      case 'binary':
      case 'config-fragment':
        return base;
    }
  }

  /** What `JSON.stringify` prints: never the material. */
  toJSON(): Record<string, unknown> {
    return this.describe();
  }

  /** What `util.inspect` and `console.log` print: never the material. */
  [inspectSymbol](): string {
    return `SecretValue ${JSON.stringify(this.describe())}`;
  }

  /**
   * Rebuilds a value from its stored form, checking its shape.
   *
   * @throws CAS_SECRETS_STORED_INVALID when the data is not a stored secret value.
   */
  static fromStored(stored: unknown): SecretValue {
    if (!isSecretData(stored)) {
      throw new CasError(
        'CAS_SECRETS_STORED_INVALID',
        'a stored secret value has an unknown shape',
      );
    }
    return new SecretValue(stored);
  }
}

const origins: readonly unknown[] = ['generated', 'explicit', 'imported'];

function isSecretData(v: unknown): v is SecretData {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  if (!origins.includes(r['origin'])) return false;
  const str = (k: string): boolean => typeof r[k] === 'string';
  switch (r['kind']) {
    case 'ascii':
      return str('text');
    case 'binary':
      return str('hex') && /^(?:[0-9a-f]{2})*$/.test(r['hex'] as string);
    case 'private-key':
      return str('key_type') && str('pkcs8_pem') && str('spki_sha256');
    case 'public-key':
      return str('spki_pem') && str('spki_sha256');
    case 'x509':
    case 'x509-ca':
      return (
        str('certificate_pem') &&
        Array.isArray(r['chain_pem']) &&
        (r['chain_pem'] as unknown[]).every((c) => typeof c === 'string') &&
        (r['private_key_pem'] === undefined || str('private_key_pem')) &&
        str('spki_sha256') &&
        (r['issuer_sha256'] === null || str('issuer_sha256')) &&
        str('params_sha256') &&
        str('not_before') &&
        str('not_after')
      );
    case 'config-fragment':
      return 'data' in r;
    default:
      return false;
  }
}
