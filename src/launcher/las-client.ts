import { request } from 'undici';
import { CasError } from '../errors/cas-error.js';
import type { HostPort } from './host-port.js';

/** Evidence as the enclave API takes it. */
export interface Evidence {
  readonly type: string;
  /** base64 */
  readonly data: string;
  readonly measurement: string;
}

/**
 * Asks the LAS at `las` for a `sim` report over `reportData` for the program at `program`
 * (an absolute path: the LAS measures the file itself).
 *
 * @throws CAS_LAUNCHER_LAS_UNREACHABLE with the LAS's own coded reason when it refuses.
 */
export async function requestSimEvidence(
  las: HostPort,
  program: string,
  reportData: Uint8Array,
  timeoutMs = 10_000,
): Promise<Evidence> {
  const host = las.host.includes(':') ? `[${las.host}]` : las.host;
  const where = `${las.host}:${las.port}`;
  // undici's request, not fetch: the same client at a fraction of the cost per call.
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(`http://${host}:${las.port}/v1/sim/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ report_data: Buffer.from(reportData).toString('hex'), program }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    throw new CasError(
      'CAS_LAUNCHER_LAS_UNREACHABLE',
      `cannot reach the LAS at ${where} (start one with: las, or set SCONE_LAS_ADDR)`,
      { cause },
    );
  }
  const body = (await response.body.json().catch(() => ({}))) as {
    evidence?: unknown;
    measurement?: unknown;
    error?: { code?: unknown; message?: unknown };
  };
  if (
    response.statusCode !== 200 ||
    typeof body.evidence !== 'string' ||
    typeof body.measurement !== 'string'
  ) {
    const reason =
      typeof body.error?.message === 'string'
        ? `${body.error.message} (${String(body.error.code)})`
        : `status ${response.statusCode}`;
    throw new CasError('CAS_LAUNCHER_LAS_UNREACHABLE', `the LAS at ${where} refused: ${reason}`);
  }
  return { type: 'sim', data: body.evidence, measurement: body.measurement };
}
