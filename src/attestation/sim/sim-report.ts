import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { CasError } from '../../errors/cas-error.js';

/**
 * The `sim` evidence format: what a LAS on the simulated platform (and a CAS in simulation mode)
 * signs. Simulation proves nothing against an attacker: whoever holds the platform key, or runs
 * the launcher, chooses the measurement. It exists to exercise the whole protocol and to catch
 * mistakes (a changed binary, a wrong session).
 *
 * Wire form (UTF-8 JSON, the evidence bytes):
 *
 * ```json
 * { "body": "<base64 of the body bytes>", "signature": "<base64>" }
 * ```
 *
 * The body bytes are the JSON of {@link SimReportBody} with its keys in the fixed order
 * `type, version, platform_key, measurement, report_data, debug` and no white space. The
 * signature covers `"cas-sim-report-v1\0" ‖ body bytes` (domain separation, so no other
 * signature by a platform key can pass as a report): Ed25519, or ECDSA P-256 with SHA-256 in
 * DER form, by the private key whose SPKI is `platform_key`.
 */
export interface SimReportBody {
  readonly type: 'sim';
  readonly version: 1;
  /** SubjectPublicKeyInfo DER of the platform key, base64. Its key hash is the platform id. */
  readonly platform_key: string;
  /** SHA-256 of the program file, 64 lowercase hex (`cas-run --hash`). */
  readonly measurement: string;
  /** The 64-byte binding, 128 lowercase hex. */
  readonly report_data: string;
  /** Always false: the simulated platform has no debug mode to report. */
  readonly debug: false;
}

/** What a caller supplies to have a report signed. */
export interface SimReportInput {
  readonly measurement: string;
  readonly reportData: Uint8Array;
}

const SIGNATURE_CONTEXT = Buffer.from('cas-sim-report-v1\0', 'utf8');
const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;

/** The exact body bytes that are signed; key order is fixed so both sides agree. */
export function encodeSimReportBody(body: SimReportBody): Buffer {
  const ordered = {
    type: body.type,
    version: body.version,
    platform_key: body.platform_key,
    measurement: body.measurement,
    report_data: body.report_data,
    debug: body.debug,
  };
  return Buffer.from(JSON.stringify(ordered), 'utf8');
}

function signatureAlgorithm(key: KeyObject): 'sha256' | null {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return null;
  if (type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'sha256';
  throw new CasError(
    'CAS_ATTESTATION_EVIDENCE_UNSUPPORTED',
    `a sim platform key must be Ed25519 or P-256, not ${String(type)}`,
  );
}

/**
 * Parsed platform keys by their base64 SPKI, and the SPKI of each private key: a platform has
 * one key for all its reports, and decoding it (createPublicKey) was the largest share of
 * verifying a report in the benchmark's profile. Bounded, so that reports naming ever new keys
 * cannot grow it without limit; KeyObjects are immutable, so sharing them is safe.
 */
const platformKeys = new Map<string, KeyObject>();
const PLATFORM_KEYS_MAX = 256;
const publicKeysOf = new WeakMap<KeyObject, string>();

function platformPublicKey(spkiBase64: string): KeyObject {
  let key = platformKeys.get(spkiBase64);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.from(spkiBase64, 'base64'), format: 'der', type: 'spki' });
    if (platformKeys.size >= PLATFORM_KEYS_MAX) platformKeys.clear();
    platformKeys.set(spkiBase64, key);
  }
  return key;
}

/**
 * Signs a `sim` report for `input` with the platform's private key and returns the evidence
 * bytes. Pure: the caller owns the key and decides what it measures.
 */
export function signSimReport(input: SimReportInput, privateKey: KeyObject): Uint8Array {
  const measurement = input.measurement.toLowerCase();
  if (!HEX64.test(measurement)) {
    throw new CasError(
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
      'the measurement must be 64 hex digits',
    );
  }
  if (input.reportData.length !== 64) {
    throw new CasError(
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
      'report data must be exactly 64 bytes',
    );
  }
  let platformKey = publicKeysOf.get(privateKey);
  if (platformKey === undefined) {
    platformKey = createPublicKey(privateKey)
      .export({ type: 'spki', format: 'der' })
      .toString('base64');
    publicKeysOf.set(privateKey, platformKey);
  }
  const body: SimReportBody = {
    type: 'sim',
    version: 1,
    platform_key: platformKey,
    measurement,
    report_data: Buffer.from(input.reportData).toString('hex'),
    debug: false,
  };
  const bytes = encodeSimReportBody(body);
  const signature = sign(
    signatureAlgorithm(privateKey),
    Buffer.concat([SIGNATURE_CONTEXT, bytes]),
    privateKey,
  );
  const envelope = { body: bytes.toString('base64'), signature: signature.toString('base64') };
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}

function malformed(message: string, cause?: unknown): CasError {
  return new CasError('CAS_ATTESTATION_EVIDENCE_MALFORMED', `sim report: ${message}`, { cause });
}

function isStrictBase64(text: unknown): text is string {
  return typeof text === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0;
}

function parseJsonObject<K extends string>(
  bytes: Uint8Array,
  what: string,
): Partial<Record<K, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw malformed(`the ${what} is not UTF-8 JSON`, cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(`the ${what} is not a JSON object`);
  }
  return value;
}

function exactKeys(object: object, keys: readonly string[], what: string): void {
  const actual = Object.keys(object).sort();
  const expected = [...keys].sort();
  if (actual.join(',') !== expected.join(',')) {
    throw malformed(`the ${what} must have exactly the keys ${expected.join(', ')}`);
  }
}

/** A parsed and signature-checked report. */
export interface OpenedSimReport {
  readonly body: SimReportBody;
  readonly platformKey: KeyObject;
}

/**
 * Parses the evidence bytes strictly (unknown keys, other versions and non-canonical bodies are
 * refused) and checks the signature by the embedded platform key. Whether that key is trusted is
 * the caller's decision (the session's `platforms`).
 *
 * @throws CAS_ATTESTATION_EVIDENCE_MALFORMED, CAS_ATTESTATION_SIGNATURE_INVALID
 */
export function openSimReport(evidence: Uint8Array): OpenedSimReport {
  if (evidence.length > 16_384) throw malformed('the evidence is larger than 16 KiB');
  const envelope = parseJsonObject<'body' | 'signature'>(evidence, 'evidence');
  exactKeys(envelope, ['body', 'signature'], 'evidence');
  if (!isStrictBase64(envelope.body) || !isStrictBase64(envelope.signature)) {
    throw malformed('body and signature must be base64 strings');
  }
  const bytes = Buffer.from(envelope.body, 'base64');
  const raw = parseJsonObject<keyof SimReportBody>(bytes, 'body');
  exactKeys(
    raw,
    ['type', 'version', 'platform_key', 'measurement', 'report_data', 'debug'],
    'body',
  );
  if (raw.type !== 'sim' || raw.version !== 1 || raw.debug !== false) {
    throw malformed('expected type "sim", version 1 and debug false');
  }
  if (typeof raw.measurement !== 'string' || !HEX64.test(raw.measurement)) {
    throw malformed('measurement must be 64 lowercase hex digits');
  }
  if (typeof raw.report_data !== 'string' || !HEX128.test(raw.report_data)) {
    throw malformed('report_data must be 128 lowercase hex digits');
  }
  if (!isStrictBase64(raw.platform_key)) throw malformed('platform_key must be base64');
  const body = raw as unknown as SimReportBody;
  if (!encodeSimReportBody(body).equals(bytes)) {
    throw malformed('the body is not in its canonical form');
  }
  let platformKey: KeyObject;
  try {
    platformKey = platformPublicKey(body.platform_key);
  } catch (cause) {
    throw malformed('platform_key is not a SubjectPublicKeyInfo', cause);
  }
  const ok = verify(
    signatureAlgorithm(platformKey),
    Buffer.concat([SIGNATURE_CONTEXT, bytes]),
    platformKey,
    Buffer.from(envelope.signature, 'base64'),
  );
  if (!ok) {
    throw new CasError(
      'CAS_ATTESTATION_SIGNATURE_INVALID',
      'sim report: the signature does not verify with the platform key it names',
    );
  }
  return { body, platformKey };
}
