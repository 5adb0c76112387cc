import type { KeySealer } from '../crypto/cas-keys.js';
import { SecretKey } from '../store/secret-key.js';
import type { Sealer } from '../store/seal/sealer.js';

const encoder = new TextEncoder();

/**
 * Seals the CAS's instance keys with the same sealer as the database key (the simulation seal
 * key file today, a TEE-derived key later). The label is the associated data, so a sealed CAS
 * key cannot be passed off as a software key.
 */
export function keySealerFrom(sealer: Sealer): KeySealer {
  return {
    describe: () => sealer.describe(),
    async seal(plaintext, label) {
      const key = new SecretKey(plaintext);
      try {
        const fields = await sealer.wrap(key, encoder.encode(`cas-instance-key:${label}`));
        return encoder.encode(JSON.stringify({ method: sealer.method, fields }));
      } finally {
        key.dispose();
      }
    },
    async unseal(blob, label) {
      const parsed = JSON.parse(new TextDecoder().decode(blob)) as {
        method?: unknown;
        fields?: Record<string, string>;
      };
      if (parsed.method !== sealer.method || parsed.fields === undefined) {
        throw new Error(`sealed with ${String(parsed.method)}, not ${sealer.method}`);
      }
      const key = await sealer.unwrap(parsed.fields, encoder.encode(`cas-instance-key:${label}`));
      if (key === null) throw new Error('the seal does not open this key');
      const bytes = Buffer.from(key.bytes);
      key.dispose();
      return bytes;
    },
  };
}
