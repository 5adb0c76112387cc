import type { PolicyIssue } from './types.js';

/**
 * Formats issues one per line as `file:line:col: CODE path: message`, the form compilers use so
 * editors can jump to them; warnings end with ` (warning)`.
 */
export function formatIssues(issues: readonly PolicyIssue[], fileName: string): string {
  return issues
    .map((i) => {
      const where = i.path === '' ? '' : ` ${i.path}`;
      const tail = i.severity === 'warning' ? ' (warning)' : '';
      return `${fileName}:${i.line}:${i.column}: ${i.code}${where}: ${i.message}${tail}`;
    })
    .join('\n');
}
