import { createPublicKey, randomBytes } from 'node:crypto';
import { CasError } from '../../errors/cas-error.js';
import type { CasRuntime } from '../cas-runtime.js';
import { parseNonce } from '../self-evidence.js';
import { backupEvidence, verifyBackupEvidence, type BackupEvidence } from './backup-evidence.js';
import type { BackupDeps } from './backup-deps.js';

/** How long a backup's nonce for the primary's proof stays valid. */
const NONCE_TTL_MS = 60_000;
const MAX_OUTSTANDING = 64;

/**
 * The backup side of registration: `offer` shows this CAS's evidence binding its backup key
 * (and hands out a nonce), `accept` checks the primary's evidence over that nonce and our
 * backup key, then trusts the primary's key-store signatures.
 */
export function backupEndpoint(rt: CasRuntime, deps: BackupDeps) {
  const outstanding = new Map<string, number>();
  return {
    offer(nonceHex: unknown): BackupEvidence & { nonce: string } {
      rt.require('evidence');
      const nonce = parseNonce(nonceHex);
      const now = rt.deps.env.now().getTime();
      for (const [n, at] of outstanding) if (now - at > NONCE_TTL_MS) outstanding.delete(n);
      if (outstanding.size >= MAX_OUTSTANDING) {
        throw new CasError('CAS_SERVER_RATE_LIMITED', 'too many backup registrations in progress');
      }
      const mine = randomBytes(32).toString('hex');
      outstanding.set(mine, now);
      const facts = { measurement: rt.deps.measurement, version: rt.deps.version };
      return { ...backupEvidence(rt.keys, facts, deps.backupKey, nonce), nonce: mine };
    },
    accept(body: unknown): { trusted: string } {
      const { nonce, evidence } = (body ?? {}) as { nonce?: unknown; evidence?: unknown };
      const issued = typeof nonce === 'string' ? outstanding.get(nonce) : undefined;
      if (
        typeof nonce !== 'string' ||
        issued === undefined ||
        rt.deps.env.now().getTime() - issued > NONCE_TTL_MS
      ) {
        throw new CasError('CAS_BACKUP_ATTESTATION_FAILED', 'unknown or expired backup nonce');
      }
      outstanding.delete(nonce);
      const peer = verifyBackupEvidence(evidence, Buffer.from(nonce, 'hex'), {
        measurement: rt.deps.measurement,
        version: '0',
        allowSimulation: rt.deps.platformMode === 'sim',
      });
      const own = createPublicKey(deps.backupKey).export({ type: 'spki', format: 'der' });
      if (!peer.backupKey.export({ type: 'spki', format: 'der' }).equals(own)) {
        throw new CasError('CAS_BACKUP_ATTESTATION_FAILED', 'the primary wrapped to another key');
      }
      deps.trusted.add(peer.casCertificate);
      rt.deps.logger.info({ primary: peer.casKeyHash }, 'registered as a backup of another CAS');
      return { trusted: peer.casKeyHash };
    },
  };
}
