import type { CasErrorCode } from '../errors/codes.js';
import type { PolicyIssue } from './types.js';
import type { SourceMap } from './source-map.js';

/** A code of an issue: any registered `CAS_POLICY_*` code. */
export type PolicyIssueCode = Extract<CasErrorCode, `CAS_POLICY_${string}`>;

/** Issues kept per parse; one more says that the rest were dropped. */
export const MAX_ISSUES = 200;

/**
 * Collects the issues of one parse. Validators report every problem they see and carry on, so
 * the user gets all of them at once; offsets are in the substituted text and are mapped back to
 * the source file here.
 */
export class IssueSink {
  readonly #map: SourceMap;
  readonly #issues: PolicyIssue[] = [];

  constructor(map: SourceMap) {
    this.#map = map;
  }

  /** Records an error at an offset of the substituted text. */
  error(code: PolicyIssueCode, path: string, offset: number, message: string): void {
    this.#add(code, path, this.#map.sourceOffset(offset), message, 'error');
  }

  /** Records a warning at an offset of the substituted text. */
  warn(code: PolicyIssueCode, path: string, offset: number, message: string): void {
    this.#add(code, path, this.#map.sourceOffset(offset), message, 'warning');
  }

  /** Records an error at an offset of the source text (before substitution). */
  errorAtSource(code: PolicyIssueCode, path: string, srcOffset: number, message: string): void {
    this.#add(code, path, srcOffset, message, 'error');
  }

  get hasErrors(): boolean {
    return this.#issues.some((i) => i.severity === 'error');
  }

  /** All issues, in file order. */
  list(): PolicyIssue[] {
    return [...this.#issues].sort((a, b) => a.line - b.line || a.column - b.column);
  }

  #add(
    code: PolicyIssueCode,
    path: string,
    srcOffset: number,
    message: string,
    severity: PolicyIssue['severity'],
  ): void {
    // A hostile 1 MiB file could otherwise make a response many times its size.
    if (this.#issues.length > MAX_ISSUES) return;
    if (this.#issues.length === MAX_ISSUES) {
      code = 'CAS_POLICY_TOO_COMPLEX';
      message = `more than ${MAX_ISSUES} problems; only the first ${MAX_ISSUES} are listed`;
      severity = 'error';
    }
    const { line, column } = this.#map.lineColOfSource(srcOffset);
    this.#issues.push({ code, path, line, column, message, severity });
  }
}

/** `path.key`, or `path["odd key"]` when the key is not a plain identifier. */
export function keyPath(path: string, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** `path[index]`. */
export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}
