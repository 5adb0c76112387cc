import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  attestWorkload,
  type AttestWorkloadInput,
  type ProvisionedConfig,
} from '../../core/attest-workload.js';
import { NonceStore } from '../../core/enclave/nonce-store.js';
import type { AttestWorkloadDeps } from '../../core/enclave/ports.js';
import { CasError } from '../../errors/cas-error.js';
import { parseBody } from '../parse-body.js';
import { tlsConnectionFacts, type ConnectionFacts } from './connection-facts.js';

/** What the enclave routes need besides the attestation: the connection's nonce and facts. */
export interface EnclaveRouteOptions {
  /** Nonce store; by default one per listener with the deps' clock and node:crypto. */
  readonly nonces?: NonceStore;
  /** Connection facts; injected by tests that run without TLS. */
  readonly connectionOf?: (request: FastifyRequest) => ConnectionFacts;
}

/**
 * Dependencies of the enclave routes: the use case's deps (the attestation runs here), or a
 * clock and an `attest` that runs it elsewhere (an enclave worker asks the CAS process).
 */
export type EnclaveRouteDeps = EnclaveRouteOptions &
  (
    | AttestWorkloadDeps
    | {
        readonly now: () => Date;
        readonly attest: (input: AttestWorkloadInput) => Promise<ProvisionedConfig>;
      }
  );

const attestBody = z.strictObject({
  config_id: z.string().min(1).max(1200),
  /** Optional echo of the challenge nonce; when given it must be the one of this connection. */
  nonce: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/)
    .optional(),
  evidence: z
    .strictObject({
      type: z.string().min(1).max(32),
      data: z
        .string()
        .max(64 * 1024)
        .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
    })
    .optional(),
});

/**
 * Mounts the enclave API (`docs/api.md`, "Enclave API") on the enclave listener, which must be
 * TLS 1.3, ask for a client certificate without verifying it, and issue no session tickets:
 *
 * - `POST /v1/enclave/challenge` → `{ nonce, expires_in }`: a fresh nonce held by this TLS
 *   connection (single use, 60 s).
 * - `POST /v1/enclave/attest` with `{ config_id, evidence?: { type, data }, nonce? }` →
 *   `{ session, service, simulation, warnings, argv, env, pwd?, files: [{ path, mode, content }] }`
 *   (file content base64), or a refusal `{ error: { code, message, details: { observed } } }`.
 */
export function registerEnclaveRoutes(app: FastifyInstance, deps: EnclaveRouteDeps): void {
  const nonces =
    deps.nonces ??
    new NonceStore({
      now: () => deps.now().getTime(),
      randomBytes: (n) => Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(n))),
    });
  const connectionOf = deps.connectionOf ?? tlsConnectionFacts;
  const attest =
    'attest' in deps
      ? deps.attest
      : (input: AttestWorkloadInput): Promise<ProvisionedConfig> => attestWorkload(deps, input);

  app.post('/v1/enclave/challenge', { bodyLimit: 1024 }, (request) => {
    const facts = connectionOf(request);
    const nonce = nonces.issue(facts.connection, facts.address);
    facts.onClose(() => nonces.release(facts.connection));
    return Promise.resolve({ nonce: nonce.toString('hex'), expires_in: 60 });
  });

  app.post('/v1/enclave/attest', { bodyLimit: 96 * 1024 }, async (request, reply) => {
    const facts = connectionOf(request);
    // Single use: the nonce is gone from here on, whatever the outcome, even a bad body.
    const nonce = nonces.consume(facts.connection);
    const body = parseBody(attestBody, request.body);
    if (body.nonce !== undefined) {
      const echo = Buffer.from(body.nonce, 'hex');
      if (echo.length !== nonce.length || !timingSafeEqual(echo, nonce)) {
        throw new CasError(
          'CAS_ENCLAVE_NONCE_UNKNOWN',
          'the nonce is not the one issued on this TLS connection',
        );
      }
    }
    if (body.evidence !== undefined && body.evidence.data.length % 4 !== 0) {
      throw new CasError('CAS_ENCLAVE_BAD_REQUEST', 'evidence.data must be padded base64');
    }
    const config = await attest({
      configId: body.config_id,
      ...(body.evidence === undefined
        ? {}
        : {
            evidence: {
              type: body.evidence.type,
              data: Buffer.from(body.evidence.data, 'base64'),
            },
          }),
      nonce,
      peerSpki: facts.peerSpki,
    });
    void reply.header('cache-control', 'no-store');
    return {
      session: config.session,
      service: config.service,
      simulation: config.simulation,
      warnings: config.warnings,
      argv: config.argv,
      env: config.env,
      ...(config.pwd === undefined ? {} : { pwd: config.pwd }),
      files: config.files.map((f) => ({
        path: f.path,
        mode: f.mode,
        content: Buffer.from(f.content).toString('base64'),
      })),
    };
  });
}
