/** The authenticated caller of the client API: its TLS client certificate and its key hash. */
export interface Caller {
  readonly keyHash: string;
  readonly certPem: string;
  /**
   * The certificate's subject name, when the caller was read from a connection that already
   * parsed it (the audit log HMACs it); absent, it is read from `certPem`.
   */
  readonly subject?: string;
  /** The client's address (for the audit log, which HMACs it). */
  readonly address?: string;
}
