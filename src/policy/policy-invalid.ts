import { CasError } from '../errors/cas-error.js';
import type { PolicyIssue } from './types.js';

/**
 * The one error an operation throws for a session with problems: code `CAS_POLICY_INVALID`,
 * `details.issues` with every issue (code, path, line, column, message, severity).
 */
export function policyInvalid(issues: readonly PolicyIssue[]): CasError {
  const errors = issues.filter((i) => i.severity === 'error');
  const first = errors[0] ?? issues[0];
  const head =
    first === undefined
      ? 'the session is invalid'
      : `${first.line}:${first.column}: ${first.message}`;
  const more =
    errors.length > 1
      ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})`
      : '';
  return new CasError('CAS_POLICY_INVALID', `invalid session: ${head}${more}`, {
    details: { issues: issues.map((i) => ({ ...i })) },
  });
}
