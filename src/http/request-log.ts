import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Fastify's per-request log lines, one per request at `info`: a busy CAS logs every
 * provisioning, and the arrival line only said again what the completion line says (and cost
 * a serialized write per request on the event loop). The arrival stays at `debug`, where a
 * request that never completes can still be found; the completion line carries the method and
 * URL the arrival line had. Every other Fastify log line keeps its default.
 */
export class CasLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    // Fastify's serializers turn these into method, URL, host, address, port and status.
    const fields = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...fields, err: error }, 'request errored');
    else reply.log.info(fields, 'request completed');
  }
}
