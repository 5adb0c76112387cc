import type { PoolConfig } from 'pg';
import { CasError } from '../../errors/cas-error.js';

/** TLS of the database connection. */
export interface PostgresTlsOptions {
  /**
   * `verify-full`: TLS, the server certificate must chain to `ca` (or the system roots) and
   * name the host. `disable`: no TLS; the default only for a loopback host. There is no
   * "encrypt but do not verify" mode: it would only look safe.
   */
  readonly mode: 'disable' | 'verify-full';
  /** PEM of the CA(s) that issue the server certificate. */
  readonly ca?: string;
  /** PEM client certificate and key, for servers that require client certificates. */
  readonly cert?: string;
  readonly key?: string;
  /** Name to verify when it differs from the host in the URL. */
  readonly servername?: string;
}

/** Options of the PostgreSQL backend. */
export interface PostgresOptions {
  /** `postgres://user[:password]@host[:port]/database`; TLS goes in `tls`, not the URL. */
  readonly url: string;
  readonly tls?: PostgresTlsOptions;
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
  /** Re-runs of a transaction after a serialization failure (default 10). */
  readonly maxRetries?: number;
  /** Attempts to reach the server at open (default 5; see `withStoreRetry`). */
  readonly connectAttempts?: number;
  /** Timeout of one connection attempt (default 5000 ms). */
  readonly connectTimeoutMs?: number;
}

const LOOPBACK = new Set(['', 'localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * The pg pool configuration and a log line for `options`: the URL is checked, TLS is decided
 * (verified TLS unless the host is loopback or TLS is disabled explicitly), and the password
 * never reaches the log line.
 *
 * @throws CAS_STORE_CONFIG_INVALID
 */
export function postgresPoolConfig(options: PostgresOptions): {
  readonly config: PoolConfig;
  readonly description: string;
} {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw invalid('the database url is not a URL (postgres://user@host:port/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw invalid(`the database url must start with postgres:// (got ${url.protocol}//)`);
  }
  for (const name of url.searchParams.keys()) {
    if (name.startsWith('ssl')) {
      throw invalid(
        `TLS is configured with the [database] tls options, not with "${name}" in the url (the url would silently override them)`,
      );
    }
  }
  const loopback = LOOPBACK.has(url.hostname);
  const tls = options.tls ?? { mode: loopback ? 'disable' : 'verify-full' };
  const safeUrl = new URL(url.href);
  safeUrl.password = '';
  const where = safeUrl.href.replace(/^postgresql:/, 'postgres:');
  const description =
    tls.mode === 'verify-full'
      ? `PostgreSQL store ${where} (TLS, server certificate verified)`
      : `PostgreSQL store ${where} (no TLS${loopback ? ', loopback' : ': WARNING, the connection is not encrypted'})`;
  return {
    config: {
      connectionString: options.url,
      ssl:
        tls.mode === 'disable'
          ? false
          : {
              rejectUnauthorized: true,
              ...(tls.ca === undefined ? {} : { ca: tls.ca }),
              ...(tls.cert === undefined ? {} : { cert: tls.cert }),
              ...(tls.key === undefined ? {} : { key: tls.key }),
              ...(tls.servername === undefined ? {} : { servername: tls.servername }),
            },
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      application_name: 'cas',
    },
    description,
  };
}

function invalid(message: string): CasError {
  return new CasError('CAS_STORE_CONFIG_INVALID', message);
}
