import { CasError } from '../errors/cas-error.js';

/** A parsed `host:port` listen address. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses Rust `SocketAddr` syntax as SCONE's config uses it: `0.0.0.0:8081`, `[::1]:8081`,
 * or `localhost:8081`. Port 0 asks the OS for a free port (tests).
 *
 * @throws CAS_CONFIG_BAD_VALUE naming `key` when the text is not such an address.
 */
export function parseListenAddress(text: string, key: string): ListenAddress {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || !Number.isInteger(port) || port > 65535) {
    throw new CasError(
      'CAS_CONFIG_BAD_VALUE',
      `${key}: expected HOST:PORT (for example 0.0.0.0:8081), got ${JSON.stringify(text)}`,
      { details: { key } },
    );
  }
  return { host: match[1] ?? match[2] ?? '', port };
}

/** `host:port` for display and URLs (IPv6 hosts in brackets). */
export function formatAddress(address: ListenAddress): string {
  return address.host.includes(':')
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;
}
