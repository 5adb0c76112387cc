import type { FastifyError, FastifyInstance } from 'fastify';
import { CasError, isCasError } from '../errors/cas-error.js';

/** Fastify's own request errors, mapped to our codes. */
function fromFastify(error: FastifyError): CasError | undefined {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new CasError(
      'CAS_SERVER_BODY_TOO_LARGE',
      'the request body is too large for this route',
    );
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's messages describe the request, never our state; keep them for the caller.
    return new CasError('CAS_SERVER_BAD_REQUEST', `malformed request: ${error.message}`);
  }
  return undefined;
}

/**
 * Installs the error mapping of `architecture.md`: a `CasError` becomes its status and
 * `{error:{code,message}}`; Fastify's request errors become CAS_SERVER_BAD_REQUEST or
 * CAS_SERVER_BODY_TOO_LARGE; anything else is a bug: 500 CAS_INTERNAL with a redacted message,
 * the details in the log only.
 */
export function installErrorMapping(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = isCasError(error) ? error : fromFastify(error);
    if (mapped !== undefined) {
      request.log.info({ code: mapped.code, status: mapped.status }, 'request refused');
      return reply.status(mapped.status).send(mapped.toBody());
    }
    request.log.error({ err: error }, 'internal error');
    return reply.status(500).send({
      error: { code: 'CAS_INTERNAL', message: 'internal error (the CAS log has the details)' },
    });
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new CasError(
      'CAS_SERVER_ROUTE_NOT_FOUND',
      `no route ${request.method} ${request.url.split('?')[0] ?? ''}`,
    );
    return reply.status(404).send(error.toBody());
  });
}
