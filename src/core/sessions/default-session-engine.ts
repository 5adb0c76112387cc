import { isAllowed } from '../../policy/access.js';
import { parseSession } from '../../policy/parse-session.js';
import { policyInvalid } from '../../policy/policy-invalid.js';
import { sessionHash } from '../../policy/session-hash.js';
import { parentNamespace } from '../../policy/session-name.js';
import { withCreator } from '../../policy/with-creator.js';
import { generateSecrets } from '../../secrets/generate-secrets.js';
import { migrateSecrets } from '../../secrets/migrate-secrets.js';
import type { SecretValue } from '../../secrets/secret-value.js';
import type { Session } from '../../policy/types.js';
import { decodeSecrets, encodeSecrets } from './resolve-imports.js';
import type { SessionEngine } from './session-engine.js';
import type { StoredSecrets } from './session-records.js';

/**
 * The values to store for `session`: its own, never its imports (provisioning resolves those
 * again from the exporter, so an export withdrawn later is not kept in a copy).
 */
function stored(session: Session, values: ReadonlyMap<string, SecretValue>): StoredSecrets {
  const imports = new Set(session.secrets.filter((s) => s.import !== undefined).map((s) => s.name));
  return encodeSecrets([...values].filter(([name]) => !imports.has(name)));
}

/**
 * The session engine of a real CAS: the policy layer parses, hashes and decides access; the
 * secrets layer generates and migrates values. The server parses without substituting template
 * variables (the CLI substituted them).
 */
export const defaultSessionEngine = {
  parse(text) {
    // The CLI substituted template variables; a `$NAME` left in an upload is literal.
    const result = parseSession(text, { substitute: false });
    if (!result.ok) throw policyInvalid(result.issues);
    return result.session;
  },
  withCreator,
  hash: sessionHash,
  parentNamespace,
  isAllowed,
  async generateSecrets(session, ctx) {
    const result = await generateSecrets(
      session.secrets,
      { now: ctx.now, randomBytes: (n) => ctx.randomBytes(n) },
      ctx.imported === undefined ? {} : { imported: ctx.imported },
    );
    return stored(session, result.values);
  },
  async migrateSecrets(previous, values, next, ctx) {
    const result = await migrateSecrets(
      previous.secrets,
      decodeSecrets(values),
      next.secrets,
      { now: ctx.now, randomBytes: (n) => ctx.randomBytes(n) },
      ctx.imported,
    );
    return stored(next, result.values);
  },
} satisfies SessionEngine;
