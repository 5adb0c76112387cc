import { createHash } from 'node:crypto';

/** The label of the workload binding (`architecture.md`, "Evidence types"). */
export const WORKLOAD_BINDING_LABEL = 'cas-workload-v1';

/**
 * The 64 bytes of report data that bind a workload's evidence to one CAS nonce and one TLS
 * client key: SHA-512("cas-workload-v1" ‖ nonce ‖ SHA-256(SPKI DER of the client key)).
 * The launcher puts it in its evidence; the CAS recomputes it from the nonce it holds for the
 * connection and the peer certificate of that same connection.
 */
export function workloadBinding(nonce: Uint8Array, clientSpkiDer: Uint8Array): Buffer {
  const keyDigest = createHash('sha256').update(clientSpkiDer).digest();
  return createHash('sha512')
    .update(Buffer.from(WORKLOAD_BINDING_LABEL, 'ascii'))
    .update(nonce)
    .update(keyDigest)
    .digest();
}
