import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { generateIdentity } from '../../../src/crypto/identity.js';
import { keyHashOfCertificate } from '../../../src/crypto/key-hash.js';
import { tlsConnectionFacts } from '../../../src/http/enclave-api/connection-facts.js';
import { requireCaller } from '../../../src/http/peer-identity.js';
import { isCasError } from '../../../src/errors/cas-error.js';

/** A request on a fake TLS 1.3 socket that counts how often its peer certificate is read. */
function requestOn(socket: object): FastifyRequest {
  return { raw: { socket }, ip: '127.0.0.1' } as unknown as FastifyRequest;
}

function fakeSocket(certPem: string | undefined): { socket: object; reads: () => number } {
  let reads = 0;
  const raw =
    certPem === undefined
      ? undefined
      : Buffer.from(certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const socket = {
    getProtocol: () => 'TLSv1.3',
    isSessionReused: () => false,
    getPeerX509Certificate: () => {
      reads++;
      return raw === undefined ? undefined : new X509Certificate(raw);
    },
    once: () => undefined,
  };
  return { socket, reads: () => reads };
}

describe('tlsConnectionFacts', () => {
  test('reads the client certificate once per connection and gives its SPKI on every request', async () => {
    const identity = await generateIdentity();
    const spki = identity.certificate.publicKey.export({ type: 'spki', format: 'der' });
    const { socket, reads } = fakeSocket(identity.certPem);
    const first = tlsConnectionFacts(requestOn(socket));
    const second = tlsConnectionFacts(requestOn(socket));
    assert.deepEqual(first.peerSpki, spki);
    assert.deepEqual(second.peerSpki, spki);
    assert.equal(reads(), 1);
    const other = fakeSocket(identity.certPem);
    tlsConnectionFacts(requestOn(other.socket));
    assert.equal(other.reads(), 1, 'another connection reads its own certificate');
  });

  test('a connection without a client certificate is refused on every request', () => {
    const { socket } = fakeSocket(undefined);
    for (let i = 0; i < 2; i++) {
      assert.throws(
        () => tlsConnectionFacts(requestOn(socket)),
        (e: unknown) => isCasError(e) && e.code === 'CAS_ENCLAVE_CLIENT_CERT_REQUIRED',
      );
    }
  });
});

describe('requireCaller', () => {
  test('names the caller by the key hash of its certificate, read once per connection', async () => {
    const identity = await generateIdentity();
    const { socket, reads } = fakeSocket(identity.certPem);
    const first = requireCaller(requestOn(socket));
    const second = requireCaller(requestOn(socket));
    assert.equal(first.keyHash, keyHashOfCertificate(identity.certPem));
    assert.equal(first.keyHash, identity.keyHash);
    assert.equal(first.certPem.trim(), identity.certPem.trim());
    assert.equal(first.subject, identity.certificate.subject);
    assert.equal(first.address, '127.0.0.1');
    assert.deepEqual(second, first);
    assert.equal(reads(), 1);
  });

  test('shares the reading with the enclave facts of the same connection', async () => {
    const identity = await generateIdentity();
    const { socket, reads } = fakeSocket(identity.certPem);
    requireCaller(requestOn(socket));
    const facts = tlsConnectionFacts(requestOn(socket));
    assert.deepEqual(
      facts.peerSpki,
      identity.certificate.publicKey.export({ type: 'spki', format: 'der' }),
    );
    assert.equal(reads(), 1);
  });

  test('a connection without a client certificate is refused on every request', () => {
    const { socket, reads } = fakeSocket(undefined);
    for (let i = 0; i < 2; i++) {
      assert.throws(
        () => requireCaller(requestOn(socket)),
        (e: unknown) => isCasError(e) && e.code === 'CAS_SERVER_CLIENT_CERT_REQUIRED',
      );
    }
    assert.equal(reads(), 1, 'the absence is remembered too');
  });
});
