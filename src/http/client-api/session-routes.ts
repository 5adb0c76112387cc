import type { FastifyInstance } from 'fastify';
import type { CasRuntime } from '../../core/cas-runtime.js';
import { createSession } from '../../core/sessions/create-session.js';
import { listSessions } from '../../core/sessions/list-sessions.js';
import { readSession } from '../../core/sessions/read-session.js';
import { updateSession } from '../../core/sessions/update-session.js';
import { CasError } from '../../errors/cas-error.js';
import { requireCaller } from '../peer-identity.js';

/** Largest session upload: the session language's 1 MiB plus a little slack for encoding. */
export const SESSION_BODY_LIMIT = 1024 * 1024 + 1024;

function sessionText(body: unknown): string {
  if (typeof body !== 'string' || body.length === 0) {
    throw new CasError('CAS_SERVER_BAD_REQUEST', 'the request body must be the session YAML');
  }
  return body;
}

/**
 * Session routes. They live in their own plugin scope, where every body is read as text
 * (the session YAML), whatever content type the client names.
 */
export async function registerSessionRoutes(app: FastifyInstance, rt: CasRuntime): Promise<void> {
  await app.register((scope, _opts, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: SESSION_BODY_LIMIT },
      (_req, body, done) => {
        done(null, body);
      },
    );
    scope.post('/session', { bodyLimit: SESSION_BODY_LIMIT }, async (request, reply) => {
      const caller = requireCaller(request);
      const result = await createSession(rt, caller, sessionText(request.body));
      return reply.status(result.created ? 201 : 200).send({ hash: result.hash });
    });
    scope.put('/session', { bodyLimit: SESSION_BODY_LIMIT }, async (request) => {
      const caller = requireCaller(request);
      const result = await updateSession(rt, caller, sessionText(request.body));
      return { hash: result.hash };
    });
    scope.get<{ Params: { '*': string } }>('/v1/sessions/*', (request) => {
      const caller = requireCaller(request);
      return readSession(rt, caller, request.params['*']);
    });
    scope.get<{ Querystring: { namespace?: string } }>('/v1/sessions', async (request) => {
      const caller = requireCaller(request);
      return { sessions: await listSessions(rt, caller, request.query.namespace) };
    });
    done();
  });
}
