import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { Agent, request } from 'undici';
import { keyHashOfCertificate } from '../crypto/key-hash.js';
import { CasError, isCasError } from '../errors/cas-error.js';
import { isCasErrorCode } from '../errors/codes.js';
import { splitCasAddress } from './cas-address.js';

/** The TLS client identity: PKCS#8 key PEM and certificate PEM. */
export interface ClientIdentity {
  keyPem(): string;
  readonly certPem: string;
}

/** What a pinned connection checks: the CAS certificate (trust root) and the software key. */
export interface CasPin {
  readonly casCertPem: string;
  readonly softwareKeyHash: string;
}

/** A client of one CAS's client API. */
export interface CasClient {
  /** Sends a request and returns the parsed JSON answer; CAS errors are rethrown with their code. */
  call(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: { json: unknown } | { text: string },
  ): Promise<unknown>;
  close(): Promise<void>;
}

function pinMismatch(cause?: unknown): CasError {
  return new CasError(
    'CAS_SERVER_PIN_MISMATCH',
    'the CAS presented a TLS key other than the one pinned when it was attested; if that is expected (new software), run scone cas attest again',
    cause === undefined ? {} : { cause },
  );
}

function findCasError(error: unknown): CasError | undefined {
  for (
    let e: unknown = error;
    e !== undefined && e !== null;
    e = (e as { cause?: unknown }).cause
  ) {
    if (isCasError(e)) return e;
    if (!(e instanceof Error)) return undefined;
  }
  return undefined;
}

/**
 * Creates a client (undici Agent) for the CAS at `address`, presenting `identity` as TLS
 * client certificate. With a pin, the TLS chain must lead to the pinned CAS certificate and the
 * leaf's key must be the pinned software key; any other server is refused before a request is
 * sent. Without one (only while attesting or provisioning without attestation), any server is
 * accepted and the caller must check what it got.
 */
export function createCasClient(options: {
  readonly address: string;
  readonly identity?: ClientIdentity | undefined;
  readonly pin?: CasPin | undefined;
}): CasClient {
  const { host, port } = splitCasAddress(options.address);
  const { pin, identity } = options;
  const agent = new Agent({
    connect: {
      ...(identity === undefined ? {} : { key: identity.keyPem(), cert: identity.certPem }),
      ...(pin === undefined
        ? { rejectUnauthorized: false }
        : {
            ca: pin.casCertPem,
            rejectUnauthorized: true,
            // The CAS is authenticated by its pinned key, not by host name.
            checkServerIdentity: (_host: string, cert: PeerCertificate) => {
              const hash = keyHashOfCertificate(new X509Certificate(cert.raw));
              return hash === pin.softwareKeyHash ? undefined : pinMismatch();
            },
          }),
    },
  });
  const origin = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    async call(method, path, body) {
      let res;
      try {
        res = await request(`${origin}${path}`, {
          method,
          dispatcher: agent,
          ...(body === undefined
            ? {}
            : 'json' in body
              ? { body: JSON.stringify(body.json), headers: { 'content-type': 'application/json' } }
              : { body: body.text, headers: { 'content-type': 'application/x-yaml' } }),
        });
      } catch (error) {
        const coded = findCasError(error);
        if (coded !== undefined) throw coded;
        const code = (error as { code?: string }).code ?? '';
        if (
          pin !== undefined &&
          /CERT|SELF_SIGNED|UNABLE_TO|SIGNATURE/.test(`${code} ${String(error)}`)
        ) {
          throw pinMismatch(error);
        }
        throw new CasError(
          'CAS_SERVER_UNREACHABLE',
          `cannot reach the CAS at ${origin} (${code || 'network error'})`,
          {
            cause: error,
          },
        );
      }
      const text = await res.body.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new CasError(
          'CAS_SERVER_UNEXPECTED_RESPONSE',
          `the CAS answered ${res.statusCode} with a body that is not JSON`,
        );
      }
      if (res.statusCode >= 400) {
        const err = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } })
          .error;
        if (err !== undefined && isCasErrorCode(err.code) && typeof err.message === 'string') {
          throw new CasError(err.code, err.message, {
            ...(err.details !== null && typeof err.details === 'object'
              ? { details: err.details as Record<string, unknown> }
              : {}),
          });
        }
        throw new CasError(
          'CAS_SERVER_UNEXPECTED_RESPONSE',
          `the CAS answered ${res.statusCode} without a coded error`,
        );
      }
      return parsed;
    },
    close: () => agent.close(),
  };
}
