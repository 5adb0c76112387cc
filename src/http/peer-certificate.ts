import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { Caller } from '../core/caller.js';
import { keyHashOfCertificate } from '../crypto/key-hash.js';
import { CasError } from '../errors/cas-error.js';

/** The TLS client certificate of the request's connection, or undefined. */
export function peerCertificate(request: FastifyRequest): X509Certificate | undefined {
  const socket = request.raw.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerX509Certificate !== 'function') return undefined;
  // Straight from OpenSSL's certificate object: no JavaScript rendering of its fields and no
  // second parse (getPeerCertificate + new X509Certificate cost about 20 times as much).
  return socket.getPeerX509Certificate();
}

/**
 * The caller identity of each TLS connection, read once: the CLI keeps its connection alive
 * across requests, and parsing the certificate and hashing its key per request was a visible
 * share of a session create. Both listeners speak TLS 1.3 only, which has no renegotiation, so
 * a connection's client certificate cannot change.
 */
const identities = new WeakMap<object, Omit<Caller, 'address'>>();

/**
 * The caller of a route that needs an identity: the key hash of its TLS client certificate.
 * The certificate is not verified against any CA (self-signed CLI identities are the norm);
 * possession of its key was proven in the handshake.
 *
 * @throws CAS_SERVER_CLIENT_CERT_REQUIRED.
 */
export function requireCaller(request: FastifyRequest): Caller {
  const socket = request.raw.socket as object;
  let identity = identities.get(socket);
  if (identity === undefined) {
    const cert = peerCertificate(request);
    if (cert === undefined) {
      throw new CasError(
        'CAS_SERVER_CLIENT_CERT_REQUIRED',
        'this route needs a TLS client certificate (your CLI identity)',
      );
    }
    identity = {
      keyHash: keyHashOfCertificate(cert),
      certPem: cert.toString(),
      subject: cert.subject,
    };
    identities.set(socket, identity);
  }
  return { ...identity, address: request.ip };
}
