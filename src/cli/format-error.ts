import { isCasError } from '../errors/cas-error.js';
import type { CasErrorCode } from '../errors/codes.js';

/** An error as the CLI reports it. */
export interface ReportedError {
  readonly exitCode: 1 | 2 | 3 | 4;
  /** `Error: ...` then `Caused by: ...` lines, for stderr. */
  readonly lines: readonly string[];
  /** The `--json` form: `{error: {code, message, details?, causes}}`. */
  readonly body: {
    readonly error: {
      readonly code: CasErrorCode;
      readonly message: string;
      readonly details?: Readonly<Record<string, unknown>>;
      readonly causes: readonly string[];
    };
  };
}

const MAX_CAUSES = 8;

/**
 * Turns a thrown value into what the CLI prints and its exit code. A {@link CasError} shows its
 * message, code and the messages of its causes; anything else is a bug and shows only
 * `internal error (CAS_INTERNAL)`, because its message may hold anything (the stack is added
 * by the caller with `SCONE_CLI_DEBUG=1`).
 */
export function formatError(error: unknown): ReportedError {
  if (!isCasError(error)) {
    const message = 'internal error';
    return {
      exitCode: 4,
      lines: [`Error: ${message} (CAS_INTERNAL)`],
      body: { error: { code: 'CAS_INTERNAL', message, causes: [] } },
    };
  }
  const causes: string[] = [];
  let cause: unknown = error.cause;
  while (cause !== undefined && causes.length < MAX_CAUSES) {
    causes.push(describeCause(cause));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return {
    exitCode: error.exitCode,
    lines: [`Error: ${error.message} (${error.code})`, ...causes.map((c) => `Caused by: ${c}`)],
    body: {
      error: {
        code: error.code,
        message: error.message,
        ...(error.details === undefined ? {} : { details: error.details }),
        causes,
      },
    },
  };
}

function describeCause(cause: unknown): string {
  if (isCasError(cause)) return `${cause.message} (${cause.code})`;
  if (cause instanceof Error) return cause.message;
  return String(cause);
}
