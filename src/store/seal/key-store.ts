import { z } from 'zod';
import { CasError } from '../../errors/cas-error.js';
import { associatedData } from '../barrier/aes-gcm.js';
import type { WrappedFields } from './sealer.js';

/** Format tag of a key-store document. */
export const KEY_STORE_FORMAT = 'cas-key-store-v1';

const entrySchema = z.strictObject({
  /** Key hash of the CAS instance this entry is for. */
  instance: z.string().min(1),
  method: z.string().min(1),
  wrapped: z.record(z.string(), z.string()),
  /** True when the owner supplied this key: the owner can read the database. */
  injected: z.boolean(),
  created_at: z.string(),
  /** Key hash of the CAS that wrote (and signed) this entry. */
  signed_by: z.string().min(1),
  signature: z.string().min(1),
});

const documentSchema = z.strictObject({
  format: z.literal(KEY_STORE_FORMAT),
  entries: z.array(entrySchema),
});

/** One wrapped copy of the database key. */
export type KeyStoreEntry = z.infer<typeof entrySchema>;

/** The key store: every wrapped copy of the database key. */
export type KeyStoreDocument = z.infer<typeof documentSchema>;

/** Signs the bytes of an entry (the CAS key of the writing instance). */
export type KeyStoreSigner = (message: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/** Checks an entry's signature by the CAS whose key hash is `signedBy`. */
export type KeyStoreVerifier = (
  message: Uint8Array,
  signature: Uint8Array,
  signedBy: string,
) => boolean | Promise<boolean>;

/**
 * Parses a key-store document.
 *
 * @throws CAS_STORE_KEYSTORE_TAMPERED when it is not one.
 */
export function parseKeyStore(text: string, where: string): KeyStoreDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CasError('CAS_STORE_KEYSTORE_TAMPERED', `the key store ${where} is not JSON`, {
      cause,
    });
  }
  const parsed = documentSchema.safeParse(json);
  if (!parsed.success) {
    throw new CasError(
      'CAS_STORE_KEYSTORE_TAMPERED',
      `the key store ${where} is malformed (${parsed.error.issues[0]?.message ?? 'invalid'})`,
    );
  }
  return parsed.data;
}

/** The document as written: stable key order, one entry per line group. */
export function serialiseKeyStore(document: KeyStoreDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** JSON with sorted keys and no white space: the bytes a signature covers. */
function canonical(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The signed message of an entry: a label and the canonical JSON of all but the signature. */
export function entryMessage(entry: Omit<KeyStoreEntry, 'signature'>): Buffer {
  const { instance, method, wrapped, injected, created_at, signed_by } = entry;
  const body = canonical({ instance, method, wrapped, injected, created_at, signed_by });
  return Buffer.from(`cas-key-store-entry-v1\n${body}`, 'utf8');
}

/** The associated data a wrapped key is bound to: whose entry it is, how, and whether injected. */
export function wrapAad(instance: string, method: string, injected: boolean): Buffer {
  return associatedData('cas-database-key-v1', [
    Buffer.from(instance, 'utf8'),
    Buffer.from(method, 'utf8'),
    { u32: injected ? 1 : 0 },
  ]);
}

/** Builds and signs an entry. */
export async function signedEntry(
  fields: {
    readonly instance: string;
    readonly method: string;
    readonly wrapped: WrappedFields;
    readonly injected: boolean;
    readonly createdAt: Date;
    readonly signedBy: string;
  },
  signer: KeyStoreSigner,
): Promise<KeyStoreEntry> {
  const unsigned = {
    instance: fields.instance,
    method: fields.method,
    wrapped: { ...fields.wrapped },
    injected: fields.injected,
    created_at: fields.createdAt.toISOString(),
    signed_by: fields.signedBy,
  };
  const signature = await signer(entryMessage(unsigned));
  return { ...unsigned, signature: Buffer.from(signature).toString('base64') };
}

/**
 * Checks an entry's signature.
 *
 * @throws CAS_STORE_KEYSTORE_TAMPERED when it does not verify.
 */
export async function verifyEntry(
  entry: KeyStoreEntry,
  verifier: KeyStoreVerifier,
  where: string,
): Promise<void> {
  let ok: boolean;
  try {
    ok = await verifier(
      entryMessage(entry),
      Buffer.from(entry.signature, 'base64'),
      entry.signed_by,
    );
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new CasError(
      'CAS_STORE_KEYSTORE_TAMPERED',
      `the key-store entry of ${where} for instance ${entry.instance} carries no valid signature of a CAS this one trusts (signed_by ${entry.signed_by}); it was edited by hand or written by an unknown CAS`,
    );
  }
}
