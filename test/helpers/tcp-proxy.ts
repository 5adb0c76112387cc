// A loopback TCP proxy for tests: a stand-in for a TCP load balancer in front of CAS replicas
// (per-connection routing, failover to the next backend when one refuses), and for a network
// cut between a CAS and its database.
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A started proxy. */
export interface TcpProxy {
  /** `127.0.0.1:<port>` */
  readonly address: string;
  /** Picks the backend index for the n-th connection (default: round robin). */
  route: (n: number) => number;
  /** Connections accepted per backend index. */
  readonly served: number[];
  /** Drops every open connection and refuses new ones until {@link restore}. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** Starts a proxy on an ephemeral loopback port in front of `backends` (`host:port` each). */
export async function startTcpProxy(backends: readonly string[]): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let isCut = false;
  const served = backends.map(() => 0);
  const track = (s: Socket): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const proxy: TcpProxy = {
    address: '',
    route: (n) => n % backends.length,
    served,
    cut() {
      isCut = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      isCut = false;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  // Tries the routed backend, then the others in order: what a load balancer does when a
  // backend refuses connections (its health check failed).
  const forward = (client: Socket, first: number, tried = 0): void => {
    const index = (first + tried) % backends.length;
    const [host, port] = backends[index]!.split(':');
    const upstream = connect(Number(port), host);
    track(upstream);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      served[index] = (served[index] ?? 0) + 1;
      client.once('error', () => upstream.destroy());
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
      client.resume();
    });
    upstream.on('error', () => {
      if (!connected && tried + 1 < backends.length) {
        forward(client, first, tried + 1);
      } else {
        client.destroy();
      }
    });
  };
  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    if (isCut) {
      client.destroy();
      return;
    }
    track(client);
    client.on('error', () => client.destroy());
    forward(client, proxy.route(accepted++));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return Object.assign(proxy, { address: `127.0.0.1:${port}` });
}
