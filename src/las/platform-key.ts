import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keyHashOfKey } from '../crypto/key-hash.js';
import { CasError } from '../errors/cas-error.js';

/** The file in the state directory that holds the simulated platform's key (PKCS#8 PEM). */
export const PLATFORM_KEY_FILE = 'las-platform-key.pem';

/** The simulated platform's signing key and its public identity. */
export interface PlatformKey {
  readonly privateKey: KeyObject;
  /** Key hash of the platform key: what sessions list under `platforms:`. */
  readonly platformId: string;
}

/**
 * Loads the platform key from `stateDir`, creating the directory (0700) and an Ed25519 key
 * (0600) on first use. A key file readable by group or others is refused rather than used:
 * whoever reads it can sign reports as this platform.
 *
 * @throws CAS_LAS_STATE_DIR when the directory or the key file is unusable.
 */
export async function loadOrCreatePlatformKey(stateDir: string): Promise<PlatformKey> {
  const path = join(stateDir, PLATFORM_KEY_FILE);
  try {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    let pem: string;
    try {
      const info = await stat(path);
      if ((info.mode & 0o077) !== 0) {
        throw new CasError(
          'CAS_LAS_STATE_DIR',
          `the platform key ${path} is accessible by group or others; run: chmod 600 ${path}`,
          { details: { path } },
        );
      }
      pem = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const { privateKey } = generateKeyPairSync('ed25519');
      pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      await writeFile(path, pem, { mode: 0o600, flag: 'wx' });
      await chmod(path, 0o600);
    }
    const privateKey = createPrivateKey(pem);
    return { privateKey, platformId: keyHashOfKey(privateKey) };
  } catch (error) {
    if (error instanceof CasError) throw error;
    throw new CasError('CAS_LAS_STATE_DIR', `cannot use the LAS state directory ${stateDir}`, {
      cause: error,
      details: { path: stateDir },
    });
  }
}
