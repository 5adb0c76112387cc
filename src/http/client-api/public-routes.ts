import type { FastifyInstance } from 'fastify';
import type { CasRuntime } from '../../core/cas-runtime.js';
import { casSelfEvidence } from '../../core/self-evidence.js';
import { publicValues } from '../../core/sessions/public-values.js';
import type { CasMetrics } from '../metrics.js';

/**
 * Routes that need no client certificate: lifecycle state, metrics, the CAS's own evidence,
 * and the public values of sessions.
 */
export function registerPublicRoutes(
  app: FastifyInstance,
  rt: CasRuntime,
  metrics: CasMetrics,
): void {
  // A replica awaiting registration serves nothing a client needs: 503, so that a balancer's
  // HTTP health check keeps it out until it is registered.
  app.get('/health', (_request, reply) =>
    reply.code(rt.state === 'awaiting_registration' ? 503 : 200).send({
      state: rt.state,
      platform_mode: rt.deps.platformMode,
      simulation: rt.deps.platformMode === 'sim',
      version: rt.deps.version,
    }),
  );
  app.get('/metrics', async (_request, reply) => {
    metrics.provisioned.set(rt.state === 'provisioned' ? 1 : 0);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get<{ Querystring: { nonce?: string } }>('/v1/attest', (request) =>
    casSelfEvidence(rt, request.query.nonce),
  );
  app.get<{ Params: { '*': string } }>('/v1/values/*', (request) =>
    publicValues(rt, request.params['*']),
  );
}
