/** The client API's default port (`interfaces.md` §3). */
export const DEFAULT_CAS_PORT = 8081;

/** Host and port of an address given as `host`, `host:port` or `[v6]:port`. */
export function splitCasAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d{1,5}))?$/.exec(address.trim());
  if (m === null) return { host: address, port: DEFAULT_CAS_PORT };
  return {
    host: m[1] ?? m[2] ?? address,
    port: m[3] === undefined ? DEFAULT_CAS_PORT : Number(m[3]),
  };
}

/** `https://<host>:<port>/` for an address. */
export function casUrl(address: string): string {
  const { host, port } = splitCasAddress(address);
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}/`;
}
