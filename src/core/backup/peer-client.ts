import { Agent, request } from 'undici';
import { splitCasAddress } from '../../client/cas-address.js';
import { CasError } from '../../errors/cas-error.js';

/**
 * Talks to another CAS's client API during backup registration. TLS is not pinned here: trust
 * comes from the peer's evidence, which binds the key the database key is wrapped to, so a
 * relay in between learns nothing it could open.
 *
 * @throws CAS_BACKUP_UNREACHABLE; a coded error the peer answered with is rethrown as the
 *   cause of CAS_BACKUP_ATTESTATION_FAILED.
 */
export async function callPeer(
  address: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const { host, port } = splitCasAddress(address);
  const agent = new Agent({ connect: { rejectUnauthorized: false }, connectTimeout: 10_000 });
  try {
    const response = await request(
      `https://${host.includes(':') ? `[${host}]` : host}:${port}${path}`,
      {
        method,
        dispatcher: agent,
        headersTimeout: 15_000,
        bodyTimeout: 15_000,
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      },
    );
    const text = await response.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (response.statusCode >= 400) {
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new CasError(
        'CAS_BACKUP_ATTESTATION_FAILED',
        `the CAS at ${address} refused: ${error?.message ?? `HTTP ${response.statusCode}`} (${error?.code ?? 'no code'})`,
      );
    }
    return json;
  } catch (cause) {
    if (cause instanceof CasError) throw cause;
    throw new CasError('CAS_BACKUP_UNREACHABLE', `cannot reach the CAS at ${address}`, { cause });
  } finally {
    await agent.close();
  }
}
