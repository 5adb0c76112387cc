import { codeInfo, type CasErrorCode } from './codes.js';

/** Optional parts of a {@link CasError}. */
export interface CasErrorOptions {
  /** The lower-level error this one wraps; never shown to remote callers. */
  readonly cause?: unknown;
  /** Structured, non-secret facts a caller may show (a path, a line, an observed measurement). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * The one error type of the domain. Callers match on `code`, never on the message. Messages
 * say what to fix and never contain secret values.
 */
export class CasError extends Error {
  readonly code: CasErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: CasErrorCode, message: string, options: CasErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CasError';
    this.code = code;
    this.details = options.details;
  }

  /** HTTP status for this code (500 only for bugs). */
  get status(): number {
    return codeInfo(this.code).status;
  }

  /** CLI exit code for this code. */
  get exitCode(): 1 | 2 | 3 | 4 {
    return codeInfo(this.code).exit;
  }

  /** The wire form of `interfaces.md` §7. */
  toBody(): { error: { code: CasErrorCode; message: string; details?: Record<string, unknown> } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: { ...this.details } }),
      },
    };
  }
}

/** Narrows an unknown thrown value to a {@link CasError}. */
export function isCasError(value: unknown): value is CasError {
  return value instanceof CasError;
}
