import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { CasError } from '../errors/cas-error.js';
import { isLoopbackHost, parseHostPort } from '../launcher/host-port.js';
import { createLasServer } from './las-server.js';
import { loadOrCreatePlatformKey } from './platform-key.js';

/** Default LAS address (`interfaces.md` §5). */
export const DEFAULT_LAS_LISTEN = '127.0.0.1:18766';

/** A running LAS. */
export interface RunningLas {
  readonly platformId: string;
  readonly address: AddressInfo;
  close(): Promise<void>;
}

/**
 * `las [--listen 127.0.0.1:18766] [--state-dir DIR]`: loads or creates the platform key,
 * prints `LAS platform id: <key hash>` and serves until closed.
 *
 * @throws CAS_LAS_LISTEN_INVALID, CAS_LAS_STATE_DIR
 */
export async function runLas(
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<RunningLas> {
  let values: { listen?: string; 'state-dir'?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { listen: { type: 'string' }, 'state-dir': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (cause) {
    throw new CasError(
      'CAS_LAS_LISTEN_INVALID',
      `${(cause as Error).message}; usage: las [--listen 127.0.0.1:18766] [--state-dir DIR]`,
      { cause },
    );
  }
  const listen = parseHostPort(values.listen ?? DEFAULT_LAS_LISTEN, 18766);
  if (listen === null) {
    throw new CasError(
      'CAS_LAS_LISTEN_INVALID',
      `--listen must be HOST:PORT, for example 127.0.0.1:18766 (got "${values.listen ?? ''}")`,
    );
  }
  const platform = await loadOrCreatePlatformKey(values['state-dir'] ?? 'las-state');
  if (!isLoopbackHost(listen.host)) {
    err(
      `Warning: the LAS listens on ${listen.host}, not on loopback: any host that reaches it ` +
        'can obtain reports signed by this platform.',
    );
  }
  const server = createLasServer({ platform, log: (line) => err(line) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  out(`LAS platform id: ${platform.platformId}`);
  out(`LAS listening on ${address.address}:${address.port}`);
  err(
    'Warning: this LAS is a simulated platform: its reports prove nothing against an attacker ' +
      '(accepted only by sessions with security.attestation.mode: simulation).',
  );
  return {
    platformId: platform.platformId,
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
