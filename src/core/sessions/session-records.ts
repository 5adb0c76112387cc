import { z } from 'zod';
import type { Creator, Session } from '../../policy/types.js';
import type { StoreTx } from '../../store/store.js';
import { jsonBytes, parseJsonBytes } from '../owner-record.js';
import { storeKeys } from '../store-keys.js';

const creatorSchema = z.union([z.string(), z.strictObject({ signer: z.string() })]);

const metaSchema = z.strictObject({
  name: z.string(),
  active: z.string(),
  creator: creatorSchema,
  creator_key_hash: z.string(),
  history: z.array(
    z.strictObject({ hash: z.string(), uploader_key_hash: z.string(), at: z.string() }),
  ),
});

/** A session's metadata: which version is active, who created it, every version's hash. */
export interface SessionMeta {
  readonly name: string;
  readonly active: string;
  readonly creator: Creator;
  readonly creator_key_hash: string;
  readonly history: ReadonlyArray<{
    readonly hash: string;
    readonly uploader_key_hash: string;
    readonly at: string;
  }>;
}

/** A stored session version: the normalised session (with creator) and the uploaded text. */
export interface SessionVersion {
  readonly session: Session;
  readonly text: string;
}

/** The metadata and its exact stored bytes (for compare-and-set). */
export interface LoadedMeta {
  readonly meta: SessionMeta;
  readonly bytes: Uint8Array;
}

/** Reads a session's metadata, or undefined when there is no such session. */
export async function readMeta(tx: StoreTx, name: string): Promise<LoadedMeta | undefined> {
  const bytes = await tx.get(storeKeys.sessionMeta(name));
  if (bytes === undefined) return undefined;
  return { meta: metaSchema.parse(parseJsonBytes(bytes)), bytes };
}

/** Reads version `n` (0 = first) of a session. */
export async function readVersion(tx: StoreTx, name: string, n: number): Promise<SessionVersion> {
  const bytes = await tx.get(storeKeys.sessionVersion(name, n));
  if (bytes === undefined) throw new Error(`session ${name} has no stored version ${n}`);
  return parseJsonBytes(bytes) as SessionVersion;
}

/** Reads the active version of a session with its metadata, or undefined. */
export async function readActive(
  tx: StoreTx,
  name: string,
): Promise<(LoadedMeta & { readonly version: SessionVersion }) | undefined> {
  const loaded = await readMeta(tx, name);
  if (loaded === undefined) return undefined;
  return { ...loaded, version: await readVersion(tx, name, loaded.meta.history.length - 1) };
}

/** The stored secret values of a session by name (each the JSON of its stored form). */
export type StoredSecrets = Readonly<Record<string, unknown>>;

/** Reads the secret values of a session, each stored under its own key. */
export async function readSecrets(tx: StoreTx, name: string): Promise<StoredSecrets> {
  const out: Record<string, unknown> = {};
  const prefix = storeKeys.secretPrefix(name);
  for (const key of await tx.list(prefix)) {
    const secret = storeKeys.secretNameOf(name, key);
    const bytes = await tx.get(key);
    if (secret !== null && bytes !== undefined) out[secret] = parseJsonBytes(bytes);
  }
  return out;
}

/**
 * Writes a new active version: the metadata only if it still holds `expected` (so of two
 * concurrent writers exactly one wins), then the version and the secrets. Returns false when
 * someone else wrote first.
 */
export async function writeVersion(
  tx: StoreTx,
  options: {
    readonly expected: Uint8Array | undefined;
    readonly meta: SessionMeta;
    readonly version: SessionVersion;
    readonly secrets: StoredSecrets;
  },
): Promise<boolean> {
  const { meta } = options;
  if (
    !(await tx.compareAndSet(storeKeys.sessionMeta(meta.name), options.expected, jsonBytes(meta)))
  ) {
    return false;
  }
  await tx.put(
    storeKeys.sessionVersion(meta.name, meta.history.length - 1),
    jsonBytes(options.version),
  );
  for (const key of await tx.list(storeKeys.secretPrefix(meta.name))) {
    const secret = storeKeys.secretNameOf(meta.name, key);
    if (secret !== null && !Object.hasOwn(options.secrets, secret)) await tx.delete(key);
  }
  for (const [secret, value] of Object.entries(options.secrets)) {
    await tx.put(storeKeys.secret(meta.name, secret), jsonBytes(value));
  }
  return true;
}
