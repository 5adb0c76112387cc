import { randomBytes } from 'node:crypto';
import { CasError } from '../../errors/cas-error.js';
import { callerFields } from '../../audit/caller-fields.js';
import { backupKey as backupStoreKey } from '../../store/keys.js';
import type { CasRuntime } from '../cas-runtime.js';
import type { Caller } from '../caller.js';
import { jsonBytes } from '../owner-record.js';
import { requireOwner } from '../provisioning/update-owner-config.js';
import { backupEvidence, verifyBackupEvidence } from './backup-evidence.js';
import type { BackupDeps } from './backup-deps.js';

/** What the owner asks for. */
export interface RegisterBackupRequest {
  /** host[:port] of the backup CAS's client API. */
  readonly address: string;
  /** Accept a simulated backup (tests only). */
  readonly allowSimulation: boolean;
}

/** The registered backup. */
export interface RegisteredBackup {
  readonly backup_key_hash: string;
  readonly measurement: string;
  readonly version: string;
}

/**
 * `scone cas register-backup`: attests the backup CAS (same measurement, same or newer
 * release, simulation only when allowed), wraps the database key to the key its evidence
 * binds (`cas-backup-v1`) in a key-store entry signed by this CAS, then proves itself to the
 * backup the same way so that it accepts entries signed by this CAS. Recorded in the
 * database and the audit log.
 *
 * @throws CAS_SERVER_NOT_OWNER, CAS_BACKUP_ATTESTATION_FAILED, CAS_BACKUP_UNREACHABLE,
 *   CAS_BACKUP_NOT_AVAILABLE.
 */
export async function registerBackup(
  rt: CasRuntime,
  deps: BackupDeps | undefined,
  caller: Caller,
  request: RegisterBackupRequest,
): Promise<RegisteredBackup> {
  requireOwner(rt, caller);
  if (deps === undefined) {
    throw new CasError('CAS_BACKUP_NOT_AVAILABLE', 'this CAS was started without backup support');
  }
  const { measurement, version } = rt.deps;
  const nonce = randomBytes(32);
  const offer = await deps.callPeer(
    request.address,
    'GET',
    `/v1/backup/offer?nonce=${nonce.toString('hex')}`,
  );
  const peer = verifyBackupEvidence(offer, nonce, {
    measurement,
    version,
    allowSimulation: request.allowSimulation,
  });
  if (peer.casKeyHash === rt.keys.casKeyHash) {
    throw new CasError('CAS_BACKUP_ATTESTATION_FAILED', 'that is this CAS itself, not a backup');
  }
  const peerNonce = (offer as { nonce?: unknown }).nonce;
  if (typeof peerNonce !== 'string' || !/^[0-9a-f]{64}$/.test(peerNonce)) {
    throw new CasError('CAS_BACKUP_ATTESTATION_FAILED', 'the backup sent no nonce to answer');
  }
  await deps.addToKeyStore({ publicKey: peer.backupKey, keyHash: peer.casKeyHash });
  const proof = backupEvidence(
    rt.keys,
    { measurement, version },
    peer.backupKey,
    Buffer.from(peerNonce, 'hex'),
  );
  await deps.callPeer(request.address, 'POST', '/v1/backup/accept', {
    nonce: peerNonce,
    evidence: proof,
  });
  const record = {
    cas_key_hash: peer.casKeyHash,
    measurement,
    version: (offer as { version: string }).version,
    registered_at: rt.deps.env.now().toISOString(),
  };
  await rt.store().transaction(async (tx) => {
    await tx.put(backupStoreKey(peer.casKeyHash), jsonBytes(record));
    await rt.deps.audit?.record(
      { event: 'backup_registered', backup: peer.casKeyHash, ...callerFields(caller) },
      tx,
    );
  });
  rt.deps.logger.info({ backup: peer.casKeyHash }, 'backup CAS registered');
  return { backup_key_hash: peer.casKeyHash, measurement, version: record.version };
}
