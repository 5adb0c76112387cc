/**
 * The normalised session model: what the policy layer produces after parsing, validating and
 * normalising a session file, what the CAS stores, and what the session hash is computed over.
 * Field names are the YAML key names, because the canonical JSON of this object is hashed.
 *
 * This file is a contract between layers (policy, secrets, core, attestation matching):
 * changes are additive only.
 */

/** A 64-character lowercase hex string (session hash, MRENCLAVE, ...). */
export type Hex = string;

/** Who created the first version: the uploader's certificate PEM, or a signer's SPKI PEM. */
export type Creator = string | { readonly signer: string };

/** An access-policy entry, normalised: `CREATOR`, `ANY`, `NONE`, or a key hash (Base58Check). */
export type PolicyEntry = 'CREATOR' | 'ANY' | 'NONE' | { readonly key_hash: string };

export interface AccessPolicy {
  readonly read: readonly PolicyEntry[];
  readonly update: readonly PolicyEntry[];
  /** Defaults to `update` when absent in the file. */
  readonly create_sessions: readonly PolicyEntry[];
  /** Defaults to `read` when absent in the file. */
  readonly list_sessions: readonly PolicyEntry[];
}

export interface SignerFactor {
  readonly mrsigner: Hex;
  readonly isvprodid: number;
  readonly isvsvn?: number;
  readonly isvsvn_min?: number;
  readonly isvsvn_max?: number;
}

export interface TdxFactor {
  readonly mrtd?: string;
  readonly rtmr0?: string;
  readonly rtmr1?: string;
  readonly rtmr2?: string;
  readonly rtmr3?: string;
  readonly mrconfigid?: string;
  readonly mrowner?: string;
  readonly mrownerconfig?: string;
}

export interface SnpFactor {
  readonly measurement?: string;
  readonly host_data?: string;
  readonly family?: 'Milan' | 'Genoa' | 'Turin';
  readonly min_tcb?: {
    readonly bootloader?: number;
    readonly tee?: number;
    readonly snp?: number;
    readonly microcode?: number;
  };
}

/** PCR index (as a string key `pcr0`...`pcr8`...) to expected 96-hex value. */
export type NitroFactor = Readonly<Record<string, string>>;

/**
 * TPM PCR index (as a string key `pcr0`...`pcr23`) to the expected 64-hex value of the SHA-256
 * bank: the PCRs a `tpm` quote signs (`src/attestation/tpm/`).
 */
export type TpmFactor = Readonly<Record<string, string>>;

/** One attestation variant: every factor present must hold (AND). Variants are ORed. */
export interface AttestationVariant {
  readonly mrenclave?: readonly Hex[];
  readonly signer?: SignerFactor;
  readonly tdx?: TdxFactor;
  readonly snp?: SnpFactor;
  readonly nitro?: NitroFactor;
  readonly tpm?: TpmFactor;
}

export interface Service {
  readonly name: string;
  readonly image_name?: string;
  /** argv; a command string in the file is split with shell-like quoting. */
  readonly command: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly pwd?: string;
  readonly attestation: readonly AttestationVariant[];
  /** LAS platform ids (key hashes) or other platform identifiers; absent = any. */
  readonly platforms?: readonly string[];
}

export interface InjectionFile {
  readonly path: string;
  /** Absent: the file is read at start-up (SCONE's path-only form). */
  readonly content?: string;
  /** Octal file mode as a number (0o600 = 384). Default 0o700. */
  readonly permission: number;
}

export interface Image {
  readonly name: string;
  readonly injection_files: readonly InjectionFile[];
}

export type ExportTarget =
  | {
      readonly session: string;
      readonly session_hash?: Hex;
      readonly allow_weaker_attestation?: boolean;
    }
  | { readonly namespace: string; readonly allow_weaker_attestation?: boolean };

export interface SecretImport {
  readonly session: string;
  readonly secret: string;
}

export type SecretKind =
  'ascii' | 'binary' | 'private-key' | 'public-key' | 'x509' | 'x509-ca' | 'config-fragment';

export type KeyType = 'P-256' | 'P-384' | 'Ed25519' | 'RSA-2048' | 'RSA-3072';

/** A secret declaration. `hex` in the file is normalised to `binary`. */
export interface SecretSpec {
  readonly name: string;
  /**
   * Absent only on an `import` whose file states no `kind`: the exporter's kind then applies,
   * and placeholder formats are checked when the import is resolved, not at upload.
   */
  readonly kind?: SecretKind;
  /** Explicit value: a string (ascii, PEM, hex for binary) or YAML data (config-fragment). */
  readonly value?: unknown;
  readonly size?: number;
  readonly key_type?: KeyType;
  readonly private_key?: string;
  readonly issuer?: string;
  readonly common_name?: string;
  /** Normalised SAN entries: `dns:name` or `ip:addr` (legacy `dns` folds in here). */
  readonly san?: readonly string[];
  readonly endpoint?: 'server' | 'client';
  /** Validity in seconds (parsed from `90 days`, `59d`, `24h`, `30m`). */
  readonly valid_for?: number;
  readonly export?: readonly ExportTarget[];
  readonly export_public?: boolean;
  readonly import?: SecretImport;
  readonly migrate?: boolean;
}

export type AttestationMode = 'hardware' | 'simulation' | 'none';

export interface SecurityPolicy {
  readonly attestation: {
    readonly mode: AttestationMode;
    readonly tolerate: readonly string[];
    /** A list of advisory ids, or `['*']` for all (only allowed with `debug-mode`). */
    readonly ignore_advisories: readonly string[];
  };
}

/** A normalised session. `creator` is absent until the CAS (or `--with-self-as-creator`) adds it. */
export interface Session {
  readonly name: string;
  readonly version: string;
  readonly predecessor: Hex | null;
  readonly salt?: Hex;
  readonly creator?: Creator;
  readonly services: readonly Service[];
  readonly secrets: readonly SecretSpec[];
  readonly images: readonly Image[];
  readonly access_policy: AccessPolicy;
  readonly security: SecurityPolicy;
}

/** One validation problem, with where it is in the file. */
export interface PolicyIssue {
  readonly code: string;
  /** Key path such as `services[0].attestation[1].mrenclave[0]`. */
  readonly path: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}
