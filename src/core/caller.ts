/** The authenticated caller of the client API: its TLS client certificate and its key hash. */
export interface Caller {
  readonly keyHash: string;
  readonly certPem: string;
  /** The client's address (for the audit log, which HMACs it). */
  readonly address?: string;
}
