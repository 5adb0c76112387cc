import { createHash, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import {
  connect as tlsConnect,
  type DetailedPeerCertificate,
  type SecureContext,
  type TLSSocket,
} from 'node:tls';
import { Client } from 'undici';
import { CasError } from '../errors/cas-error.js';
import { isCasErrorCode } from '../errors/codes.js';
import { checkCasPins, type CasPins } from './cas-pin.js';
import type { HostPort } from './host-port.js';

/** The TLS client identity of one run: an ephemeral key and its self-signed certificate. */
export interface WorkloadTlsKey {
  readonly keyPem: string;
  readonly certPem: string;
  /**
   * The same key and certificate already loaded (`tls.createSecureContext`), for a caller that
   * opens many connections; when absent, every connection parses the PEMs again.
   */
  readonly secureContext?: SecureContext;
}

/** A file of the configuration, decoded. */
export interface ConfigFile {
  readonly path: string;
  readonly mode: number;
  readonly content: Buffer;
}

/** What the CAS sends a workload it attested. */
export interface WorkloadConfig {
  readonly session: string;
  readonly service: string;
  readonly simulation: boolean;
  readonly warnings: readonly string[];
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly pwd?: string;
  readonly files: readonly ConfigFile[];
}

/** One TLS 1.3 connection to the enclave API; challenge and attest go over it. */
export interface EnclaveConnection {
  challenge(): Promise<Buffer>;
  attest(body: {
    config_id: string;
    nonce: string;
    evidence?: { type: string; data: string };
  }): Promise<WorkloadConfig>;
  close(): Promise<void>;
}

/** The raw DER of the chain the CAS sent, leaf first. */
function peerChainDer(socket: TLSSocket): Buffer[] {
  const chain: Buffer[] = [];
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (cert !== undefined && Buffer.isBuffer(cert.raw) && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert.raw);
    cert = cert.issuerCertificate;
  }
  return chain;
}

/**
 * Leaf certificates (exact bytes) that passed {@link checkCasPins} with exactly these pins, so
 * a process that opens many connections to the same CAS (the benchmark, a launcher started for
 * many workloads) does not build, parse and verify the whole chain each time. Remembering the
 * leaf is enough: whether its key is the pinned software key, and whether the pinned CAS key
 * vouches for it through signatures, are facts about the leaf's bytes and the pinned keys, not
 * about which chain a later connection sends with it; the handshake proves possession of the
 * leaf's key on every connection. Bounded: cleared when full.
 */
const passedLeaves = new Set<string>();
const PASSED_LEAVES_MAX = 64;

function checkPeerChain(socket: TLSSocket, pins: CasPins): void {
  // The leaf alone (about 20 µs), not the detailed chain (about 300 µs), and not
  // getPeerX509Certificate(), after which Node 20 returns an empty detailed chain.
  const leaf = socket.getPeerCertificate(false) as Partial<DetailedPeerCertificate> | null;
  const key = !Buffer.isBuffer(leaf?.raw)
    ? undefined
    : createHash('sha256')
        .update(`${pins.casKeyHash ?? ''}\n${pins.softwareKeyHash ?? ''}\n`)
        .update(leaf.raw)
        .digest('hex');
  if (key !== undefined && passedLeaves.has(key)) return;
  checkCasPins(
    peerChainDer(socket).map((raw) => new X509Certificate(raw)),
    pins,
  );
  if (key === undefined) return;
  if (passedLeaves.size >= PASSED_LEAVES_MAX) passedLeaves.clear();
  passedLeaves.add(key);
}

function unreachable(address: HostPort, cause: unknown): CasError {
  return new CasError(
    'CAS_LAUNCHER_CAS_UNREACHABLE',
    `cannot reach the CAS enclave API at ${address.host}:${address.port} over TLS 1.3 (check SCONE_CAS_ADDR): ${(cause as Error).message}`,
    { cause },
  );
}

/**
 * Opens one TLS 1.3 connection to the CAS's enclave API with the workload's client key,
 * checks the CAS's chain against the pins before anything is sent, and speaks HTTP/1.1 over
 * exactly that connection (undici with a connector that hands out this one socket), so that
 * the nonce and the evidence travel on the same connection.
 *
 * @throws CAS_LAUNCHER_CAS_UNREACHABLE, CAS_LAUNCHER_CAS_UNTRUSTED
 */
export async function openEnclaveConnection(
  address: HostPort,
  key: WorkloadTlsKey,
  pins: CasPins,
  timeoutMs = 15_000,
): Promise<EnclaveConnection> {
  const socket = await new Promise<TLSSocket>((resolve, reject) => {
    const s = tlsConnect({
      host: address.host,
      port: address.port,
      ...(isIP(address.host) === 0 ? { servername: address.host } : {}),
      ...(key.secureContext === undefined
        ? { key: key.keyPem, cert: key.certPem }
        : { secureContext: key.secureContext }),
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      // The CAS is authenticated by the pinned key hashes, not by a web PKI.
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
      timeout: timeoutMs,
    });
    s.once('secureConnect', () => resolve(s));
    s.once('error', (e) => reject(unreachable(address, e)));
    s.once('timeout', () => s.destroy(new Error('timed out')));
  });
  try {
    checkPeerChain(socket, pins);
  } catch (error) {
    socket.destroy();
    throw error;
  }
  let handedOut = false;
  const client = new Client(
    `https://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`,
    {
      pipelining: 1,
      connect: (_options, callback) => {
        if (handedOut) {
          callback(
            new Error(
              'the enclave connection was closed; challenge and attest need one connection',
            ),
            null,
          );
          return;
        }
        handedOut = true;
        // undici needs the callback after its own call has returned.
        setImmediate(() => callback(null, socket));
      },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    },
  );

  async function post(path: string, body: unknown): Promise<unknown> {
    let response;
    try {
      response = await client.request({
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch (cause) {
      throw unreachable(address, cause);
    }
    const text = await response.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw badResponse(`${path} answered ${response.statusCode} with a body that is not JSON`);
    }
    if (response.statusCode === 200) return json;
    throw remoteError(json, response.statusCode);
  }

  return {
    async challenge() {
      const body = (await post('/v1/enclave/challenge', {})) as { nonce?: unknown };
      if (typeof body.nonce !== 'string' || !/^[0-9a-f]{64}$/.test(body.nonce)) {
        throw badResponse('the challenge has no 32-byte nonce');
      }
      return Buffer.from(body.nonce, 'hex');
    },
    async attest(body) {
      return parseWorkloadConfig(await post('/v1/enclave/attest', body));
    },
    async close() {
      await client.destroy().catch(() => undefined);
      socket.destroy();
    },
  };
}

function badResponse(message: string): CasError {
  return new CasError('CAS_LAUNCHER_BAD_RESPONSE', `unexpected answer from the CAS: ${message}`);
}

/** The CAS's coded refusal, re-raised here with its observed claims. */
function remoteError(json: unknown, status: number): CasError {
  const error = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } })
    .error;
  if (error === undefined || !isCasErrorCode(error.code) || typeof error.message !== 'string') {
    return badResponse(`status ${status} without a coded error`);
  }
  const details =
    typeof error.details === 'object' && error.details !== null
      ? (error.details as Record<string, unknown>)
      : undefined;
  return new CasError(error.code, error.message, details === undefined ? {} : { details });
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

/** Validates the configuration strictly: the launcher trusts its shape no more than its origin. */
export function parseWorkloadConfig(json: unknown): WorkloadConfig {
  const c = json as Record<string, unknown>;
  const ok =
    typeof c === 'object' &&
    c !== null &&
    typeof c['session'] === 'string' &&
    typeof c['service'] === 'string' &&
    typeof c['simulation'] === 'boolean' &&
    Array.isArray(c['warnings']) &&
    c['warnings'].every((w) => typeof w === 'string') &&
    Array.isArray(c['argv']) &&
    c['argv'].every((a) => typeof a === 'string') &&
    isStringRecord(c['env']) &&
    (c['pwd'] === undefined || typeof c['pwd'] === 'string') &&
    Array.isArray(c['files']);
  if (!ok) throw badResponse('the configuration is malformed');
  const files = (c['files'] as unknown[]).map((f) => {
    const file = f as Record<string, unknown>;
    if (
      typeof file['path'] !== 'string' ||
      typeof file['mode'] !== 'number' ||
      !Number.isInteger(file['mode']) ||
      file['mode'] < 0 ||
      file['mode'] > 0o7777 ||
      typeof file['content'] !== 'string'
    ) {
      throw badResponse('an injection file is malformed');
    }
    return {
      path: file['path'],
      mode: file['mode'],
      content: Buffer.from(file['content'], 'base64'),
    };
  });
  return {
    session: c['session'] as string,
    service: c['service'] as string,
    simulation: c['simulation'] as boolean,
    warnings: c['warnings'] as string[],
    argv: c['argv'] as string[],
    env: { ...(c['env'] as Record<string, string>) },
    ...(c['pwd'] === undefined ? {} : { pwd: c['pwd'] as string }),
    files,
  };
}
