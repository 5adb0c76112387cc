import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  realpathSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { CasError } from '../../errors/cas-error.js';
import { gcmDecrypt, gcmEncrypt } from '../barrier/aes-gcm.js';
import { SecretKey } from '../secret-key.js';
import type { Sealer, WrappedFields } from './sealer.js';

/** Options of {@link createSimulationSealer}. */
export interface SimulationSealerOptions {
  /** The instance state directory; `seal.key` lives here. Created (0700) when missing. */
  readonly stateDir: string;
  /**
   * The directory of a SQLite database (and its key store), which the state dir must not be;
   * absent for PostgreSQL.
   */
  readonly databaseDir?: string;
}

const SEAL_KEY_FILE = 'seal.key';
const SEAL_KEY_BYTES = 32;

/**
 * The simulation seal: a random 32-byte key in `<stateDir>/seal.key` (mode 0600) wraps the
 * database key with AES-256-GCM. It protects a copied database (or a snapshot of its
 * directory) from being opened elsewhere, but not against root on this host: that needs a
 * TEE-derived seal key. It says so in `describe()`.
 *
 * @throws CAS_STORE_STATE_DIR_IS_DB_DIR, CAS_STORE_SEAL_KEY_INVALID
 */
export function createSimulationSealer(options: SimulationSealerOptions): Sealer {
  const stateDir = resolve(options.stateDir);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const databaseDir = options.databaseDir === undefined ? null : resolve(options.databaseDir);
  if (databaseDir !== null) mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
  if (databaseDir !== null && realpathSync(stateDir) === realpathSync(databaseDir)) {
    throw new CasError(
      'CAS_STORE_STATE_DIR_IS_DB_DIR',
      `the state directory ${stateDir} is the database's directory: the seal key would be copied with every copy of the database; choose another [platform] state_dir`,
    );
  }
  const path = join(stateDir, SEAL_KEY_FILE);
  const sealKey = loadOrCreateSealKey(path);
  return {
    method: 'sim-seal-aes-256-gcm',
    describe: () =>
      `simulation seal: database key wrapped with the key file ${path} (no TEE: root on this host can read it)`,
    wrap(key, aad) {
      const sealed = gcmEncrypt(sealKey.bytes, key.bytes, aad);
      return Promise.resolve({ ciphertext: sealed.toString('base64') });
    },
    unwrap(fields: WrappedFields, aad) {
      const text = fields['ciphertext'];
      if (text === undefined) return Promise.resolve(null);
      const plain = gcmDecrypt(sealKey.bytes, Buffer.from(text, 'base64'), aad);
      if (plain === null) return Promise.resolve(null);
      const key = new SecretKey(plain);
      plain.fill(0);
      return Promise.resolve(key);
    },
  };
}

/** Reads `seal.key`, or creates it (exclusively, 0600) when absent. */
function loadOrCreateSealKey(path: string): SecretKey {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT')
      throw invalid(path, 'cannot be read', error);
    return createSealKey(path);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size !== SEAL_KEY_BYTES) {
      throw invalid(path, `must be a file of exactly ${SEAL_KEY_BYTES} bytes`);
    }
    if ((stat.mode & 0o077) !== 0) {
      throw invalid(
        path,
        `is readable by other users (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`,
      );
    }
    const bytes = Buffer.alloc(SEAL_KEY_BYTES);
    readSync(fd, bytes, 0, SEAL_KEY_BYTES, 0);
    const key = new SecretKey(bytes);
    bytes.fill(0);
    return key;
  } finally {
    closeSync(fd);
  }
}

function createSealKey(path: string): SecretKey {
  const bytes = randomBytes(SEAL_KEY_BYTES);
  // O_EXCL: two processes racing to create the file cannot both write a different key.
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, bytes);
    // Losing this file loses the database: it is on disk before anything is wrapped with it.
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const key = new SecretKey(bytes);
  bytes.fill(0);
  return key;
}

function invalid(path: string, why: string, cause?: unknown): CasError {
  return new CasError('CAS_STORE_SEAL_KEY_INVALID', `the seal key file ${path} ${why}`, {
    ...(cause === undefined ? {} : { cause }),
  });
}
