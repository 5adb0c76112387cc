import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import { CasError } from '../../errors/cas-error.js';
import { peerIdentity } from '../peer-identity.js';

/** What the enclave API needs to know about the connection a request came on. */
export interface ConnectionFacts {
  /** The object nonces are held by: the TLS socket. */
  readonly connection: object;
  readonly address: string;
  /** SPKI DER of the TLS client certificate. */
  readonly peerSpki: Buffer;
  /** Registers a callback for when the connection closes (to drop its nonce). */
  onClose(fn: () => void): void;
}

const notes = new WeakSet<object>();

/**
 * Reads the facts of a request's TLS connection and refuses what the enclave protocol cannot
 * use: anything but TLS 1.3, a resumed session (evidence would not be bound to this handshake's
 * client key proof), or no client certificate (the workload's ephemeral key).
 *
 * @throws CAS_ENCLAVE_CLIENT_CERT_REQUIRED
 */
export function tlsConnectionFacts(request: FastifyRequest): ConnectionFacts {
  const socket = request.raw.socket as Partial<TLSSocket> & object;
  const refuse = (why: string): CasError =>
    new CasError(
      'CAS_ENCLAVE_CLIENT_CERT_REQUIRED',
      `the enclave API needs TLS 1.3 with the workload's client certificate: ${why}`,
    );
  if (typeof socket.getProtocol !== 'function') throw refuse('this connection is not TLS');
  if (socket.getProtocol() !== 'TLSv1.3') throw refuse(`${socket.getProtocol() ?? 'unknown'} used`);
  if (socket.isSessionReused?.() === true) throw refuse('a resumed TLS session is not accepted');
  // Read once per connection (see peerIdentity): challenge and attest come on the same one.
  const peer = peerIdentity(request);
  if (peer === undefined) throw refuse('no client certificate was sent');
  return {
    connection: socket,
    address: request.ip,
    peerSpki: peer.spki,
    onClose(fn) {
      if (notes.has(socket)) return;
      notes.add(socket);
      (socket as TLSSocket).once('close', fn);
    },
  };
}
