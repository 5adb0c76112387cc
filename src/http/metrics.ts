import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The CAS's Prometheus metrics: one registry per CAS, no per-session labels. */
export interface CasMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'api' | 'route' | 'method' | 'status'>;
  readonly provisioned: Gauge;
}

/** Creates the registry (process metrics included). */
export function createMetrics(): CasMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cas_' });
  return {
    registry,
    requests: new Counter({
      name: 'cas_http_requests_total',
      help: 'HTTP requests answered, by API, route pattern, method and status',
      labelNames: ['api', 'route', 'method', 'status'],
      registers: [registry],
    }),
    provisioned: new Gauge({
      name: 'cas_provisioned',
      help: '1 when the CAS has an owner',
      registers: [registry],
    }),
  };
}

/** Where {@link countRequests} counts: the registry's counter, or an enclave worker's relay. */
export interface RequestCounter {
  inc(labels: Partial<Record<'api' | 'route' | 'method' | 'status', string>>, value?: number): void;
}

/** Counts every response by route pattern (never by session name or URL). */
export function countRequests(
  app: FastifyInstance,
  counter: RequestCounter,
  api: 'client' | 'enclave',
): void {
  app.addHook('onResponse', async (request, reply) => {
    counter.inc({
      api,
      route: request.routeOptions.url ?? 'unknown',
      method: request.method,
      status: String(reply.statusCode),
    });
  });
}
