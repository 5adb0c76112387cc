import type { KeyObject } from 'node:crypto';
import { CasError } from '../../errors/cas-error.js';
import { SecretKey } from '../secret-key.js';
import { ecdhMethodOf, wrapToPublicKey } from './ecdh-wrap.js';
import { fileKeyStore, type KeyStoreIo } from './key-store-io.js';
import {
  KEY_STORE_FORMAT,
  parseKeyStore,
  serialiseKeyStore,
  signedEntry,
  verifyEntry,
  wrapAad,
  type KeyStoreDocument,
  type KeyStoreEntry,
  type KeyStoreSigner,
  type KeyStoreVerifier,
} from './key-store.js';
import type { Sealer } from './sealer.js';

/** Options of {@link openOrCreateDatabaseKey}. */
export interface DatabaseKeyOptions {
  /** The key-store file (`<db>.key-store`); or give `keyStore`. */
  readonly keyStorePath?: string;
  /** The key store as an abstract document (the PostgreSQL table). */
  readonly keyStore?: KeyStoreIo;
  /** This instance's seal. */
  readonly sealer: Sealer;
  /**
   * The seal of this instance's backup key (`cas-backup-v1`): opens an entry that a primary
   * or replica wrapped to this CAS at registration, used only when there is no entry of
   * `sealer`'s method for this instance (the key store's document decides, so it works for
   * a file and for the PostgreSQL table alike).
   */
  readonly backupSealer?: Sealer;
  /** Key hash of this CAS instance (its CAS key): the entry it opens and signs. */
  readonly instanceKeyHash: string;
  /** Signs new entries with this instance's CAS key. */
  readonly signer: KeyStoreSigner;
  /** Checks entries' signatures (at least this instance's own key). */
  readonly verifier: KeyStoreVerifier;
  /** The owner's key (`--database-key-file`): used to create the database, or checked. */
  readonly injectedKey?: Uint8Array;
  /**
   * When there is no key store yet: false (default) creates one; true refuses, because the
   * database already holds data that only the missing key opens, or because the caller
   * expects an existing database.
   */
  readonly databaseExists?: boolean;
  /** Confirms that a key opens the database, before an entry for an injected key is added. */
  readonly checkKey?: (key: SecretKey) => Promise<boolean>;
  readonly now?: () => Date;
}

/** The unsealed database key and how it was obtained. */
export interface DatabaseKey {
  readonly key: SecretKey;
  /** True when this call created the key store (a new database). */
  readonly created: boolean;
  /** True when the owner supplied the key, now or at creation (reported in evidence). */
  readonly injected: boolean;
}

/**
 * Opens this instance's entry of the key store, or creates the key store with a fresh (or the
 * injected) database key wrapped for this instance.
 *
 * @throws CAS_STORE_UNSEALABLE when no entry of this instance opens;
 *   CAS_STORE_KEYSTORE_TAMPERED for a malformed store or an entry with a bad signature;
 *   CAS_STORE_WRONG_KEY when an injected key is not this database's key.
 */
export async function openOrCreateDatabaseKey(options: DatabaseKeyOptions): Promise<DatabaseKey> {
  const io = keyStoreOf(options);
  const now = options.now ?? (() => new Date());
  const injected = options.injectedKey === undefined ? undefined : checkedKey(options.injectedKey);
  const entryFor = (key: SecretKey, isInjected: boolean) =>
    sealedEntry(options, key, isInjected, now());
  // A lost race (another replica wrote first) re-reads; three rounds are plenty.
  for (let round = 0; round < 3; round += 1) {
    const stored = await io.read();
    if (stored === undefined) {
      if (options.databaseExists === true) {
        throw new CasError(
          'CAS_STORE_UNSEALABLE',
          `the key store ${io.where} is missing: restore the key store that belongs to this database (a new database is created only on provisioning)`,
        );
      }
      const key = injected ?? SecretKey.generate();
      const document: KeyStoreDocument = {
        format: KEY_STORE_FORMAT,
        entries: [await entryFor(key, injected !== undefined)],
      };
      if (await io.write(serialiseKeyStore(document), 0)) {
        return { key, created: true, injected: injected !== undefined };
      }
      continue;
    }
    const document = parseKeyStore(stored.text, io.where);
    const opened = await openOwnEntry(document, options, io.where);
    if (opened !== null) {
      if (injected !== undefined && !opened.key.equals(injected)) throw wrongInjectedKey();
      if (injected === undefined || opened.entry.injected) {
        return { key: opened.key, created: false, injected: opened.entry.injected };
      }
      // The owner knows the key now: record that, so later starts report it too.
      const next = replaceEntry(document, opened.entry, await entryFor(opened.key, true));
      if (await io.write(serialiseKeyStore(next), stored.version)) {
        return { key: opened.key, created: false, injected: true };
      }
      continue;
    }
    if (injected === undefined) throw notRegistered(document, options.instanceKeyHash, io.where);
    if (options.checkKey !== undefined && !(await options.checkKey(injected))) {
      throw wrongInjectedKey();
    }
    const next = { ...document, entries: [...document.entries, await entryFor(injected, true)] };
    if (await io.write(serialiseKeyStore(next), stored.version)) {
      return { key: injected, created: false, injected: true };
    }
  }
  throw new CasError(
    'CAS_STORE_CONFLICT',
    `the key store ${io.where} kept changing while opening it`,
  );
}

/** Options of {@link addWrappedKeyFor}. */
export interface AddWrappedKeyOptions {
  readonly keyStorePath?: string;
  readonly keyStore?: KeyStoreIo;
  /** The database key (this CAS has it unsealed). */
  readonly key: SecretKey;
  /** The key the recipient bound in its `cas-backup-v1` evidence (P-256 or P-384). */
  readonly recipientPublicKey: KeyObject;
  /** The recipient CAS's key hash: the instance its entry is for. */
  readonly recipientKeyHash: string;
  /** Key hash of this CAS (the signer). */
  readonly signerKeyHash: string;
  readonly signer: KeyStoreSigner;
  /** Whether the key was injected by the owner (carried over to the new entry). */
  readonly injected: boolean;
  readonly now?: () => Date;
}

/**
 * Adds (or replaces) an entry that wraps the database key to a backup or replica CAS's public
 * key, signed by this CAS. Call it only after that CAS's evidence was verified against the
 * release policy.
 */
export async function addWrappedKeyFor(options: AddWrappedKeyOptions): Promise<void> {
  const io = keyStoreOf(options);
  const now = options.now ?? (() => new Date());
  for (let round = 0; round < 3; round += 1) {
    const stored = await io.read();
    if (stored === undefined) {
      throw new CasError('CAS_STORE_UNSEALABLE', `the key store ${io.where} does not exist`);
    }
    const document = parseKeyStore(stored.text, io.where);
    const method = ecdhMethodOf(options.recipientPublicKey);
    const { fields } = wrapToPublicKey(
      options.key,
      options.recipientPublicKey,
      wrapAad(options.recipientKeyHash, method, options.injected),
    );
    const entry = await signedEntry(
      {
        instance: options.recipientKeyHash,
        method,
        wrapped: fields,
        injected: options.injected,
        createdAt: now(),
        signedBy: options.signerKeyHash,
      },
      options.signer,
    );
    const others = document.entries.filter(
      (e) => !(e.instance === options.recipientKeyHash && e.method === method),
    );
    const next = { ...document, entries: [...others, entry] };
    if (await io.write(serialiseKeyStore(next), stored.version)) return;
  }
  throw new CasError('CAS_STORE_CONFLICT', `the key store ${io.where} kept changing`);
}

function keyStoreOf(options: { keyStorePath?: string; keyStore?: KeyStoreIo }): KeyStoreIo {
  if (options.keyStore !== undefined) return options.keyStore;
  if (options.keyStorePath !== undefined) return fileKeyStore(options.keyStorePath);
  throw new TypeError('give keyStorePath or keyStore');
}

function checkedKey(bytes: Uint8Array): SecretKey {
  if (bytes.length !== 32) {
    throw new CasError(
      'CAS_STORE_CONFIG_INVALID',
      `a database key is 32 bytes (64 hex digits); got ${bytes.length} bytes`,
    );
  }
  return new SecretKey(bytes);
}

async function sealedEntry(
  options: DatabaseKeyOptions,
  key: SecretKey,
  injected: boolean,
  createdAt: Date,
): Promise<KeyStoreEntry> {
  const { sealer, instanceKeyHash } = options;
  const wrapped = await sealer.wrap(key, wrapAad(instanceKeyHash, sealer.method, injected));
  return signedEntry(
    {
      instance: instanceKeyHash,
      method: sealer.method,
      wrapped,
      injected,
      createdAt,
      signedBy: instanceKeyHash,
    },
    options.signer,
  );
}

/** Verifies and unwraps this instance's entries; the first that opens wins. */
async function openOwnEntry(
  document: KeyStoreDocument,
  options: DatabaseKeyOptions,
  where: string,
): Promise<{ key: SecretKey; entry: KeyStoreEntry } | null> {
  const entriesOf = (sealer: Sealer) =>
    document.entries.filter(
      (e) => e.instance === options.instanceKeyHash && e.method === sealer.method,
    );
  let sealer = options.sealer;
  let own = entriesOf(sealer);
  if (own.length === 0 && options.backupSealer !== undefined) {
    sealer = options.backupSealer;
    own = entriesOf(sealer);
  }
  for (const entry of own) await verifyEntry(entry, options.verifier, where);
  for (const entry of own) {
    const aad = wrapAad(entry.instance, entry.method, entry.injected);
    const key = await sealer.unwrap(entry.wrapped, aad);
    if (key !== null) return { key, entry };
  }
  if (own.length > 0) {
    throw new CasError(
      'CAS_STORE_UNSEALABLE',
      `this CAS (${options.instanceKeyHash}) has an entry in the key store ${where}, but its seal cannot open it: the seal key changed (${sealer.describe()})`,
    );
  }
  return null;
}

function replaceEntry(
  document: KeyStoreDocument,
  old: KeyStoreEntry,
  next: KeyStoreEntry,
): KeyStoreDocument {
  return { ...document, entries: document.entries.map((e) => (e === old ? next : e)) };
}

function wrongInjectedKey(): CasError {
  return new CasError(
    'CAS_STORE_WRONG_KEY',
    'the injected database key is not the key of this database',
  );
}

function notRegistered(document: KeyStoreDocument, instance: string, where: string): CasError {
  const count = new Set(document.entries.map((e) => e.instance)).size;
  return new CasError(
    'CAS_STORE_UNSEALABLE',
    `this CAS (key hash ${instance}) is not registered for this database: the key store ${where} has entries for ${count} other CAS instance(s); register this CAS as a backup of one of them, or inject the database key`,
    { details: { instance } },
  );
}
