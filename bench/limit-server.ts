// The handshake limit: a trivial Node.js HTTPS server with the CAS's own chain and key and the
// enclave listener's TLS settings (TLS 1.3, client certificate requested, no tickets). It
// answers the challenge request with a random nonce and does nothing else, so the load
// process can run the very same connect + first request against it as against the CAS.
import { constants, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serveIpc } from './ipc.js';

serveIpc({
  async start(args) {
    const dir = String(args['dir']);
    const server = createServer(
      {
        key: readFileSync(join(dir, 'tls-key.pem')),
        cert: readFileSync(join(dir, 'tls-chain.pem')),
        minVersion: 'TLSv1.3',
        secureOptions: constants.SSL_OP_NO_TICKET,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (request, response) => {
        request.resume();
        request.on('end', () => {
          const body = JSON.stringify({ nonce: randomBytes(32).toString('hex'), expires_in: 60 });
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(body);
        });
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { pid: process.pid, port: (server.address() as AddressInfo).port };
  },
});
