import { z } from 'zod';
import type { OwnerConfig } from '../config/owner-config.js';
import type { StoreTx } from '../store/store.js';
import { storeKeys } from './store-keys.js';

const ownerSchema = z.strictObject({
  owner_key_hash: z.string(),
  owner_certificate: z.string(),
  provisioned_at: z.string(),
  db_key_injected: z.boolean(),
});

/** Who owns the CAS, written once at provisioning. */
export type OwnerRecord = z.infer<typeof ownerSchema>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** JSON bytes of a record, for the store. */
export function jsonBytes(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Parses JSON bytes from the store. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  return JSON.parse(decoder.decode(bytes)) as unknown;
}

/** Reads the owner record, or undefined on an unprovisioned database. */
export async function readOwner(tx: StoreTx): Promise<OwnerRecord | undefined> {
  const bytes = await tx.get(storeKeys.owner());
  return bytes === undefined ? undefined : ownerSchema.parse(parseJsonBytes(bytes));
}

/** Reads the stored owner config (validated when it was stored). */
export async function readOwnerConfig(tx: StoreTx): Promise<OwnerConfig> {
  const bytes = await tx.get(storeKeys.ownerConfig());
  return bytes === undefined ? {} : (parseJsonBytes(bytes) as OwnerConfig);
}
