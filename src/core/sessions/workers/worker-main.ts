/**
 * A session worker thread: parses session files and generates or migrates their secrets with
 * the CAS's own engine, so that this CPU work of session creates and updates runs beside the
 * event loop that serves TLS, HTTP and the store. Randomness is node:crypto's, as in the CAS.
 */
import { randomBytes } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { isCasError } from '../../../errors/cas-error.js';
import { defaultSessionEngine } from '../default-session-engine.js';
import { decodeSecrets } from '../resolve-imports.js';
import type { StoredSecrets } from '../session-records.js';
import type { SecretContext } from '../session-engine.js';
import type { SessionWorkerReply, SessionWorkerRequest } from './protocol.js';

function context(now: number, imported: StoredSecrets | undefined): SecretContext {
  return {
    now: new Date(now),
    randomBytes: (n) => randomBytes(n),
    ...(imported === undefined ? {} : { imported: decodeSecrets(imported) }),
  };
}

async function run(request: SessionWorkerRequest): Promise<unknown> {
  switch (request.op) {
    case 'parse':
      return defaultSessionEngine.parse(request.text);
    case 'generate':
      return defaultSessionEngine.generateSecrets(
        request.session,
        context(request.now, request.imported),
      );
    case 'migrate':
      return defaultSessionEngine.migrateSecrets(
        request.previous,
        request.values,
        request.next,
        context(request.now, request.imported),
      );
  }
}

const port = parentPort;
if (port === null) throw new Error('the session worker runs in a worker thread');
port.on('message', (request: SessionWorkerRequest) => {
  void run(request).then(
    (value) => port.postMessage({ id: request.id, ok: true, value } satisfies SessionWorkerReply),
    (error: unknown) => {
      // Only a refusal's code, message and details cross; a bug becomes CAS_INTERNAL there,
      // without its message, which could quote the session text.
      const failure = isCasError(error)
        ? {
            code: error.code,
            message: error.message,
            ...(error.details === undefined ? {} : { details: error.details }),
          }
        : { code: 'CAS_INTERNAL', message: 'a session worker failed' };
      port.postMessage({ id: request.id, ok: false, error: failure } satisfies SessionWorkerReply);
    },
  );
});
