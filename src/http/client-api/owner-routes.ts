import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CasRuntime } from '../../core/cas-runtime.js';
import { parseDatabaseKey, provisionCas } from '../../core/provisioning/provision-cas.js';
import { updateOwnerConfig } from '../../core/provisioning/update-owner-config.js';
import { readAuditCheckpoint } from '../../core/read-audit-checkpoint.js';
import { parseBody } from '../parse-body.js';
import { requireCaller } from '../peer-identity.js';

const provisionSchema = z.strictObject({
  token: z.string().max(256),
  cas_key_hash: z.string().max(256),
  owner_config: z.string().max(64 * 1024),
  database_key: z.string().max(256).optional(),
});

const ownerConfigSchema = z.strictObject({ owner_config: z.string().max(64 * 1024) });

/** Provisioning and owner routes: a client certificate is the owner identity. */
export function registerOwnerRoutes(app: FastifyInstance, rt: CasRuntime): void {
  app.post('/v1/provision', { bodyLimit: 128 * 1024 }, async (request) => {
    const caller = requireCaller(request);
    const body = parseBody(provisionSchema, request.body);
    const owner = await provisionCas(rt, caller, {
      token: body.token,
      casKeyHash: body.cas_key_hash,
      ownerConfig: body.owner_config,
      databaseKey:
        body.database_key === undefined ? undefined : parseDatabaseKey(body.database_key),
    });
    return {
      owner_key_hash: owner.owner_key_hash,
      db_key_injected: owner.db_key_injected,
      chain: rt.keys.chainPem,
    };
  });
  app.put('/v1/owner-config', { bodyLimit: 128 * 1024 }, async (request) => {
    const caller = requireCaller(request);
    const body = parseBody(ownerConfigSchema, request.body);
    await updateOwnerConfig(rt, caller, body.owner_config);
    return { updated: true };
  });
  app.get('/v1/audit/checkpoint', async (request) =>
    readAuditCheckpoint(rt, requireCaller(request)),
  );
}
