import { CasError } from '../errors/cas-error.js';
import { canImport, type CanImportRequest, type ImportDecision } from './can-import.js';

const reasons = {
  'no-such-secret': 'has no such secret',
  'not-exported': 'does not export it to this session',
  'kind-mismatch': 'exports it with another kind than the importer states',
  'secret-is-imported': 'imported it itself and does not re-export imports',
} as const;

/**
 * {@link canImport}, throwing when the import is refused: for the session upload and the
 * provisioning paths that must stop there.
 *
 * @throws CAS_SECRETS_IMPORT_DENIED naming the sessions, the secret and the reason.
 */
export function requireImport(req: CanImportRequest): Extract<ImportDecision, { allowed: true }> {
  const decision = canImport(req);
  if (decision.allowed) return decision;
  throw new CasError(
    'CAS_SECRETS_IMPORT_DENIED',
    `session '${req.exporter.name}' ${reasons[decision.reason]}: secret '${req.secretName}' for session '${req.importer.name}'`,
    { details: { reason: decision.reason } },
  );
}
