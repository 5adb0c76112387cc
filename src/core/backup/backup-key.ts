import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeySealer } from '../../crypto/cas-keys.js';
import { CasError } from '../../errors/cas-error.js';

const LABEL = 'backup-key';

/**
 * This instance's backup key (P-256, for ECDH only): a primary wraps the database key to it
 * when it registers this CAS as a backup. Sealed in the state directory like the CAS key.
 *
 * @throws CAS_SERVER_STATE_INVALID when the sealed key does not open.
 */
export async function loadOrCreateBackupKey(
  stateDir: string,
  sealer: KeySealer,
): Promise<KeyObject> {
  const path = join(stateDir, 'backup-key.sealed');
  if (existsSync(path)) {
    try {
      const der = await sealer.unseal(readFileSync(path), LABEL);
      return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
    } catch (cause) {
      throw new CasError('CAS_SERVER_STATE_INVALID', `cannot unseal ${path}`, { cause });
    }
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  const sealed = await sealer.seal(der, LABEL);
  der.fill(0);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, sealed, { mode: 0o600 });
  renameSync(tmp, path);
  return privateKey;
}
