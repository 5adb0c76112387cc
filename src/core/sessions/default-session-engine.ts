import { isAllowed } from '../../policy/access.js';
import { parseSession } from '../../policy/parse-session.js';
import { policyInvalid } from '../../policy/policy-invalid.js';
import { sessionHash } from '../../policy/session-hash.js';
import { parentNamespace } from '../../policy/session-name.js';
import { withCreator } from '../../policy/with-creator.js';
import { generateSecrets } from '../../secrets/generate-secrets.js';
import { migrateSecrets } from '../../secrets/migrate-secrets.js';
import type { SecretValue } from '../../secrets/secret-value.js';
import { decodeSecrets } from './load-for-provisioning.js';
import type { SessionEngine } from './session-engine.js';
import type { StoredSecrets } from './session-records.js';

function stored(values: ReadonlyMap<string, SecretValue>): StoredSecrets {
  return Object.fromEntries([...values].map(([name, value]) => [name, value.toStored()]));
}

/**
 * The session engine of a real CAS: the policy layer parses, hashes and decides access; the
 * secrets layer generates and migrates values. The server parses without substituting template
 * variables (the CLI substituted them).
 */
export const defaultSessionEngine: SessionEngine = {
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
    const result = await generateSecrets(session.secrets, {
      now: ctx.now,
      randomBytes: (n) => ctx.randomBytes(n),
    });
    return stored(result.values);
  },
  async migrateSecrets(previous, values, next, ctx) {
    const result = await migrateSecrets(previous.secrets, decodeSecrets(values), next.secrets, {
      now: ctx.now,
      randomBytes: (n) => ctx.randomBytes(n),
    });
    return stored(result.values);
  },
};
