import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isAbsolute } from 'node:path';
import { signSimReport } from '../attestation/sim/sim-report.js';
import { CasError, isCasError } from '../errors/cas-error.js';
import { measureProgram } from '../launcher/measure-program.js';
import type { PlatformKey } from './platform-key.js';

/** Dependencies of the LAS HTTP server. */
export interface LasServerDeps {
  readonly platform: PlatformKey;
  /** Measures a program file (SHA-256 of its bytes); injected so tests can count calls. */
  readonly measure?: (path: string) => Promise<string>;
  /** One line per signed report or refusal; never report data of a secret nature (there is none). */
  readonly log?: (line: string) => void;
}

const MAX_BODY = 16 * 1024;
const HEX64 = /^[0-9a-fA-F]{64}$/;
const HEX128 = /^[0-9a-fA-F]{128}$/;

/** The request body of `POST /v1/sim/report`. */
interface ReportRequest {
  readonly report_data: string;
  readonly program?: string;
  readonly measurement?: string;
}

function badRequest(message: string): CasError {
  return new CasError('CAS_LAS_BAD_REQUEST', message);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(badRequest(`the request body is larger than ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseReportRequest(bytes: Buffer): ReportRequest {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw badRequest('the body must be JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('the body must be a JSON object');
  }
  const body = value as Record<string, unknown>;
  const unknown = Object.keys(body).filter(
    (k) => !['report_data', 'program', 'measurement'].includes(k),
  );
  if (unknown.length > 0) throw badRequest(`unknown field(s): ${unknown.join(', ')}`);
  const { report_data: reportData, program, measurement } = body;
  if (typeof reportData !== 'string' || !HEX128.test(reportData)) {
    throw badRequest('report_data must be 128 hex digits (64 bytes)');
  }
  if ((program === undefined) === (measurement === undefined)) {
    throw badRequest('give exactly one of program (an absolute path) and measurement (64 hex)');
  }
  if (program !== undefined && (typeof program !== 'string' || !isAbsolute(program))) {
    throw badRequest('program must be an absolute path');
  }
  if (measurement !== undefined && (typeof measurement !== 'string' || !HEX64.test(measurement))) {
    throw badRequest('measurement must be 64 hex digits');
  }
  return {
    report_data: reportData,
    ...(program === undefined ? {} : { program: program }),
    ...(measurement === undefined ? {} : { measurement: measurement }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/**
 * The Local Attestation Service of the simulated platform, as an HTTP/1.1 server (JSON):
 *
 * - `GET /v1/platform` → `{ platform_id, type: "sim", simulation: true }`
 * - `POST /v1/sim/report` with `{ report_data: <128 hex>, program: <absolute path> }` (the LAS
 *   measures the file itself, as a platform measures what it loads) or `{ report_data,
 *   measurement: <64 hex> }` (for a launcher that cannot share the LAS's file system) →
 *   `{ type: "sim", evidence: <base64>, measurement, platform_id }`.
 *
 * Simulation proves nothing against an attacker: any local process may ask for any
 * measurement. It exercises the protocol and catches mistakes (a changed binary).
 */
export function createLasServer(deps: LasServerDeps): Server {
  const measure = deps.measure ?? measureProgram;
  const log = deps.log ?? (() => undefined);
  return createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      const casError = isCasError(error)
        ? error
        : new CasError('CAS_INTERNAL', 'internal error in the LAS', { cause: error });
      if (!isCasError(error)) log(`LAS internal error: ${String(error)}`);
      send(res, casError.status, casError.toBody());
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/v1/platform') {
      send(res, 200, { platform_id: deps.platform.platformId, type: 'sim', simulation: true });
      return;
    }
    if (path === '/v1/sim/report') {
      if (req.method !== 'POST') throw badRequest('use POST for /v1/sim/report');
      const request = parseReportRequest(await readBody(req));
      const measurement = (
        request.program !== undefined ? await measure(request.program) : request.measurement!
      ).toLowerCase();
      const evidence = signSimReport(
        { measurement, reportData: Buffer.from(request.report_data, 'hex') },
        deps.platform.privateKey,
      );
      log(
        `LAS signed a sim report: measurement=${measurement}` +
          (request.program === undefined
            ? ' (supplied by the caller)'
            : ` program=${request.program}`),
      );
      send(res, 200, {
        type: 'sim',
        evidence: Buffer.from(evidence).toString('base64'),
        measurement,
        platform_id: deps.platform.platformId,
      });
      return;
    }
    throw new CasError('CAS_LAS_NOT_FOUND', `no route ${req.method ?? ''} ${path ?? ''}`);
  }
}
