import {
  createPublicKey,
  generateKeyPairSync,
  verify,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import type { CasKeys } from '../crypto/cas-keys.js';
import { keyHashOfCertificate } from '../crypto/key-hash.js';
import { canonicalJson } from '../encoding/canonical-json.js';

/**
 * The certificate of an audit key: the key (SPKI DER, base64), the CAS certificate and its
 * key hash, signed by the CAS key (ECDSA P-256, SHA-256, r ‖ s as WebCrypto gives it) over the canonical JSON of the
 * other fields. It rides in `cas_started` / `audit_log_enabled` lines and in checkpoints.
 */
export interface AuditKeyCertificate {
  readonly v: 1;
  readonly audit_key: string;
  readonly cas_certificate: string;
  readonly cas_key_hash: string;
  readonly issued_at: string;
  readonly cas_sig: string;
}

/** A fresh audit key of this process, certified by the CAS key. */
export interface AuditKey {
  readonly privateKey: KeyObject;
  readonly certificate: AuditKeyCertificate;
}

/**
 * Generates an audit key for this process and certifies it with the CAS key. The key lives
 * only in memory: each start writes its certificate in `cas_started`.
 */
export async function createAuditKey(keys: CasKeys, now: Date): Promise<AuditKey> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const body = {
    v: 1 as const,
    audit_key: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    cas_certificate: keys.casCertPem,
    cas_key_hash: keys.casKeyHash,
    issued_at: now.toISOString(),
  };
  const sig = await keys.signWithCasKey(Buffer.from(canonicalJson(body), 'utf8'));
  return { privateKey, certificate: { ...body, cas_sig: Buffer.from(sig).toString('base64') } };
}

/** Why an audit key certificate was not accepted. */
export type CertificateProblem = 'malformed' | 'other_cas' | 'bad_signature';

/**
 * Checks an audit key certificate against the expected CAS key hash and returns the audit
 * public key, or the problem: `other_cas` when it is well signed by another CAS's key.
 */
export function openAuditCertificate(
  value: unknown,
  expectedCasKeyHash: string,
): { key: KeyObject } | { problem: CertificateProblem; casKeyHash?: string; otherKey?: KeyObject } {
  if (typeof value !== 'object' || value === null) return { problem: 'malformed' };
  const c = value as Record<string, unknown>;
  if (
    c['v'] !== 1 ||
    typeof c['audit_key'] !== 'string' ||
    typeof c['cas_certificate'] !== 'string' ||
    typeof c['cas_key_hash'] !== 'string' ||
    typeof c['issued_at'] !== 'string' ||
    typeof c['cas_sig'] !== 'string'
  ) {
    return { problem: 'malformed' };
  }
  try {
    const casCert = new X509Certificate(c['cas_certificate']);
    const casKeyHash = keyHashOfCertificate(casCert);
    if (casKeyHash !== c['cas_key_hash']) return { problem: 'malformed' };
    const { cas_sig: sig, ...body } = c;
    const sigBytes = Buffer.from(sig, 'base64');
    // WebCrypto signs P-256 as r ‖ s (64 bytes); a DER signature is never 64 bytes long.
    const ok = verify(
      'sha256',
      Buffer.from(canonicalJson(body), 'utf8'),
      { key: casCert.publicKey, dsaEncoding: sigBytes.length === 64 ? 'ieee-p1363' : 'der' },
      sigBytes,
    );
    if (!ok) return { problem: 'bad_signature' };
    const key = createPublicKey({
      key: Buffer.from(c['audit_key'], 'base64'),
      format: 'der',
      type: 'spki',
    });
    // The other CAS's key still lets a verifier tell whether that log is intact.
    if (casKeyHash !== expectedCasKeyHash)
      return { problem: 'other_cas', casKeyHash, otherKey: key };
    return { key };
  } catch {
    return { problem: 'malformed' };
  }
}
