/** A host and a port, as `host[:port]` or `[v6]:port` names them. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `host[:port]`, `[ipv6][:port]`; the port defaults to `defaultPort`. Returns null for
 * anything else (an empty host, a port outside 0-65535, stray characters), so callers raise
 * their own coded error naming the variable or flag.
 */
export function parseHostPort(text: string, defaultPort: number): HostPort | null {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_.-]+))(?::(\d{1,5}))?$/.exec(text.trim());
  if (match === null) return null;
  const host = match[1] ?? match[2]!;
  const port = match[3] === undefined ? defaultPort : Number(match[3]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return null;
  return { host, port };
}

/** True for addresses that only this host can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
