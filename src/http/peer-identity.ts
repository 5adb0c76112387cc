import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { Caller } from '../core/caller.js';
import { keyHashOfSpki } from '../crypto/key-hash.js';
import { CasError } from '../errors/cas-error.js';

/**
 * The client certificate of one TLS connection as the CAS uses it: the CLI's identity on the
 * client API, the workload's ephemeral key on the enclave API. Each part is worked out when
 * first asked for and then kept.
 */
export interface PeerIdentity {
  /** SubjectPublicKeyInfo DER of the certificate's key (what enclave evidence is bound to). */
  readonly spki: Buffer;
  /** Key hash of `spki` (`interfaces.md` §2): how owners and callers are named. */
  readonly keyHash: string;
  readonly certPem: string;
  readonly subject: string;
}

class TlsPeer implements PeerIdentity {
  readonly #cert: X509Certificate;
  #spki: Buffer | undefined;
  #keyHash: string | undefined;
  #certPem: string | undefined;

  constructor(cert: X509Certificate) {
    this.#cert = cert;
  }

  get spki(): Buffer {
    return (this.#spki ??= this.#cert.publicKey.export({ type: 'spki', format: 'der' }));
  }

  get keyHash(): string {
    return (this.#keyHash ??= keyHashOfSpki(this.spki));
  }

  get certPem(): string {
    return (this.#certPem ??= this.#cert.toString());
  }

  get subject(): string {
    return this.#cert.subject;
  }
}

/**
 * One identity per TLS connection, read once: the CLI keeps its connection alive across
 * requests and a workload's challenge and attest come on the same connection, and reading the
 * certificate and exporting its key per request was a visible share of both in the benchmark's
 * profiles. Both listeners speak TLS 1.3 only, which has no renegotiation, so a connection's
 * client certificate cannot change. `null` remembers a connection that sent none.
 */
const identities = new WeakMap<object, PeerIdentity | null>();

/** The identity of the TLS client certificate of the request's connection, or undefined. */
export function peerIdentity(request: FastifyRequest): PeerIdentity | undefined {
  const socket = request.raw.socket as Partial<TLSSocket> & object;
  let identity = identities.get(socket);
  if (identity === undefined) {
    // Straight from OpenSSL's certificate object: no JavaScript rendering of its fields and no
    // second parse (getPeerCertificate + new X509Certificate cost about 20 times as much).
    const cert =
      typeof socket.getPeerX509Certificate === 'function'
        ? socket.getPeerX509Certificate()
        : undefined;
    identity = cert === undefined ? null : new TlsPeer(cert);
    identities.set(socket, identity);
  }
  return identity ?? undefined;
}

/**
 * The caller of a route that needs an identity: the key hash of its TLS client certificate.
 * The certificate is not verified against any CA (self-signed CLI identities are the norm);
 * possession of its key was proven in the handshake.
 *
 * @throws CAS_SERVER_CLIENT_CERT_REQUIRED.
 */
export function requireCaller(request: FastifyRequest): Caller {
  const peer = peerIdentity(request);
  if (peer === undefined) {
    throw new CasError(
      'CAS_SERVER_CLIENT_CERT_REQUIRED',
      'this route needs a TLS client certificate (your CLI identity)',
    );
  }
  return {
    keyHash: peer.keyHash,
    certPem: peer.certPem,
    subject: peer.subject,
    address: request.ip,
  };
}
