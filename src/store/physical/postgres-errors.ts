import { CasError } from '../../errors/cas-error.js';

/** SQLSTATEs after which re-running the whole transaction can succeed. */
const SERIALIZATION = new Set(['40001', '40P01']);

/** True for a serialization failure or deadlock: the transaction should be re-run. */
export function isSerializationFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && SERIALIZATION.has(code);
}

const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);

/** Node's codes for certificate verification failures. */
const TLS = /^(ERR_TLS_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECRYPT)|ERR_SSL_)/;

/**
 * Maps a pg or network failure to a store code; CasErrors and programming errors pass through.
 * Messages carry the server's short text, never the connection string.
 */
export function postgresError(error: unknown, context: string): unknown {
  if (error instanceof CasError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const unavailable = (why: string) =>
    new CasError('CAS_STORE_UNAVAILABLE', `${context}: ${why}`, { cause: error });
  if (
    (typeof code === 'string' && TLS.test(code)) ||
    /does not support SSL|certificate|self[- ]signed/i.test(message)
  ) {
    // Not retried: a certificate that does not verify may be an interception.
    return new CasError(
      'CAS_STORE_TLS_UNVERIFIED',
      `${context}: the server's TLS certificate was not accepted (${typeof code === 'string' ? code : message}); check [database] tls (ca, servername)`,
      { cause: error },
    );
  }
  if (typeof code === 'string') {
    if (NETWORK.has(code)) return unavailable(code);
    // 08: connection exception; 57P: operator intervention (shutdown); 53: resources.
    if (/^(08|57P|53)/.test(code)) return unavailable(`${message} (SQLSTATE ${code})`);
    if (/^(28|3D)/.test(code)) {
      return new CasError(
        'CAS_STORE_CONFIG_INVALID',
        `${context}: ${message} (SQLSTATE ${code}); check the user, password and database name`,
        { cause: error },
      );
    }
    return error;
  }
  // pg reports lost connections and connect timeouts as plain Errors.
  if (/Connection terminated|timeout|connect|ECONN|socket/i.test(message))
    return unavailable(message);
  return error;
}
