import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { backupEndpoint } from '../../core/backup/backup-offer.js';
import { registerBackup } from '../../core/backup/register-backup.js';
import type { CasRuntime } from '../../core/cas-runtime.js';
import { snapshotNow } from '../../core/snapshot/snapshot-now.js';
import { parseBody } from '../parse-body.js';
import { requireCaller } from '../peer-identity.js';

const registerSchema = z.strictObject({
  address: z.string().min(1).max(512),
  allow_simulation: z.boolean().default(false),
});

/**
 * Backup registration: the owner's `POST /v1/backups` on the primary, and the backup's
 * `GET /v1/backup/offer` and `POST /v1/backup/accept`, which need no client certificate
 * (each side trusts the other's evidence, not the connection).
 */
export function registerBackupRoutes(app: FastifyInstance, rt: CasRuntime): void {
  const deps = rt.deps.backups;
  app.post('/v1/backups', { bodyLimit: 8 * 1024 }, async (request) => {
    const caller = requireCaller(request);
    const body = parseBody(registerSchema, request.body);
    return registerBackup(rt, deps, caller, {
      address: body.address,
      allowSimulation: body.allow_simulation,
    });
  });
  app.post('/v1/snapshots', async (request) => snapshotNow(rt, deps, requireCaller(request)));
  if (deps === undefined) return;
  const endpoint = backupEndpoint(rt, deps);
  app.get<{ Querystring: { nonce?: string } }>('/v1/backup/offer', (request) =>
    endpoint.offer(request.query.nonce),
  );
  app.post('/v1/backup/accept', { bodyLimit: 32 * 1024 }, (request) =>
    endpoint.accept(request.body),
  );
}
