import {
  createHash,
  createPrivateKey,
  createPublicKey,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { openSimReport, signSimReport } from '../../attestation/sim/sim-report.js';
import { keyHashOfCertificate, keyHashOfSpki } from '../../crypto/key-hash.js';
import { CasError } from '../../errors/cas-error.js';
import type { CasKeys } from '../../crypto/cas-keys.js';

const LABEL = Buffer.from('cas-backup-v1', 'ascii');

/** SHA-512("cas-backup-v1" ‖ nonce ‖ SHA-256(SPKI DER of the key to wrap to)). */
export function backupReportData(nonce: Uint8Array, spkiDer: Uint8Array): Buffer {
  const inner = createHash('sha256').update(spkiDer).digest();
  return createHash('sha512').update(LABEL).update(nonce).update(inner).digest();
}

/**
 * What one CAS shows another during backup registration: its evidence (a `sim` report signed
 * by its CAS key in simulation mode) binding `backup_key` (the key the database key is to be
 * wrapped to) and the peer's nonce, with its CAS certificate, measurement and version.
 */
export interface BackupEvidence {
  readonly type: 'sim';
  readonly evidence: string;
  readonly backup_key: string;
  readonly cas_certificate: string;
  readonly cas_key_hash: string;
  readonly measurement: string;
  readonly version: string;
  readonly platform_mode: 'sim';
}

/** Builds this CAS's {@link BackupEvidence} for `nonce` and the wrap key `backupKey`. */
export function backupEvidence(
  keys: CasKeys,
  facts: { readonly measurement: string; readonly version: string },
  backupKey: KeyObject,
  nonce: Uint8Array,
): BackupEvidence {
  const publicKey = backupKey.type === 'private' ? createPublicKey(backupKey) : backupKey;
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const evidence = signSimReport(
    { measurement: facts.measurement, reportData: backupReportData(nonce, spki) },
    createPrivateKey(keys.casKeyPem()),
  );
  return {
    type: 'sim',
    evidence: Buffer.from(evidence).toString('base64'),
    backup_key: spki.toString('base64'),
    cas_certificate: keys.casCertPem,
    cas_key_hash: keys.casKeyHash,
    measurement: facts.measurement,
    version: facts.version,
    platform_mode: 'sim',
  };
}

/** The release policy a peer CAS must meet (it cannot change at runtime). */
export interface BackupPolicy {
  readonly measurement: string;
  readonly version: string;
  /** Accept a simulated peer (`--only_for_testing-debug`); never the default. */
  readonly allowSimulation: boolean;
}

/** A peer whose evidence passed: its CAS certificate and key hash, and the wrap key. */
export interface VerifiedPeer {
  readonly casKeyHash: string;
  readonly casCertificate: string;
  readonly backupKey: KeyObject;
}

/**
 * Checks a peer CAS's {@link BackupEvidence}: signed by the key of the certificate it shows,
 * bound to `nonce` and its wrap key, the same CAS measurement, the same or a newer version,
 * and simulation only when allowed.
 *
 * @throws CAS_BACKUP_ATTESTATION_FAILED with the reason.
 */
export function verifyBackupEvidence(
  value: unknown,
  nonce: Uint8Array,
  policy: BackupPolicy,
): VerifiedPeer {
  const fail = (why: string, cause?: unknown): CasError =>
    new CasError(
      'CAS_BACKUP_ATTESTATION_FAILED',
      `the other CAS failed attestation: ${why}`,
      cause === undefined ? {} : { cause },
    );
  if (typeof value !== 'object' || value === null) throw fail('no evidence');
  const e = value as Record<string, unknown>;
  if (
    typeof e['evidence'] !== 'string' ||
    typeof e['backup_key'] !== 'string' ||
    typeof e['cas_certificate'] !== 'string' ||
    typeof e['version'] !== 'string'
  ) {
    throw fail('the evidence is incomplete');
  }
  if (e['platform_mode'] === 'sim' && !policy.allowSimulation) {
    throw fail('it runs in simulation mode (accept only for tests, with --only_for_testing-debug)');
  }
  let opened;
  let cert: X509Certificate;
  try {
    opened = openSimReport(Buffer.from(e['evidence'], 'base64'));
    cert = new X509Certificate(e['cas_certificate']);
  } catch (cause) {
    throw fail('its evidence does not parse or verify', cause);
  }
  const platform = keyHashOfSpki(Buffer.from(opened.body.platform_key, 'base64'));
  const casKeyHash = keyHashOfCertificate(cert);
  if (platform !== casKeyHash) throw fail('its evidence is not signed by its CAS key');
  const spki = Buffer.from(e['backup_key'], 'base64');
  if (opened.body.report_data !== backupReportData(nonce, spki).toString('hex')) {
    throw fail('its evidence is not bound to this nonce and its backup key (cas-backup-v1)');
  }
  if (opened.body.measurement !== policy.measurement) {
    throw fail(
      `it runs another CAS build (measurement ${opened.body.measurement}, expected ${policy.measurement})`,
    );
  }
  if (compareVersions(e['version'], policy.version) < 0) {
    throw fail(`it runs an older release (${e['version']} < ${policy.version})`);
  }
  let backupKey: KeyObject;
  try {
    backupKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch (cause) {
    throw fail('its backup key is not a public key', cause);
  }
  return { casKeyHash, casCertificate: cert.toString(), backupKey };
}

/** Compares dotted numeric versions (`0.10.1` > `0.9.9`); non-numbers compare as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.+-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
