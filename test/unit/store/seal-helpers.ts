import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { keyHashOfKey } from '../../../src/crypto/key-hash.js';
import type { OpenStoreConfig } from '../../../src/store/open-store.js';
import type { KeyStoreSigner, KeyStoreVerifier } from '../../../src/store/seal/key-store.js';

/** A CAS identity for tests: its key hash and a signer over its P-256 key. */
export interface TestCas {
  readonly keyHash: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly signer: KeyStoreSigner;
}

export function testCas(): TestCas {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    keyHash: keyHashOfKey(publicKey),
    privateKey,
    publicKey,
    signer: (message) => sign('sha256', message, privateKey),
  };
}

/** A verifier that trusts exactly these CASes. */
export function trusting(...cases: TestCas[]): KeyStoreVerifier {
  return (message, signature, signedBy) => {
    const cas = cases.find((c) => c.keyHash === signedBy);
    return cas !== undefined && verify('sha256', message, cas.publicKey, signature);
  };
}

/**
 * The config of a SQLite store below `root` (`db/cas.db`) for the CAS `cas`, which trusts only
 * itself, with its state folder below `stateRoot` (`state/`, by default beside the database).
 */
export function storeConfigAt(root: string, cas = testCas(), stateRoot = root): OpenStoreConfig {
  return {
    database: { path: join(root, 'db', 'cas.db') },
    stateDir: join(stateRoot, 'state'),
    instanceKeyHash: cas.keyHash,
    signer: cas.signer,
    verifier: trusting(cas),
  };
}
