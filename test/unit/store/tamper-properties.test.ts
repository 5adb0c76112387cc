// Properties over arbitrary tampering: whatever an attacker with write access to the database
// or the key store changes, the store answers with a coded refusal, never with other data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isCasError } from '../../../src/errors/cas-error.js';
import { openBarrier } from '../../../src/store/barrier/barrier.js';
import { createMemoryBackend } from '../../../src/store/physical/memory.js';
import { parseKeyStore } from '../../../src/store/seal/key-store.js';
import { SecretKey } from '../../../src/store/secret-key.js';

const codeOf = (error: unknown) => (isCasError(error) ? error.code : String(error));

test('any change to a stored ciphertext is CAS_STORE_INTEGRITY', async () => {
  const physical = createMemoryBackend();
  const store = await openBarrier({ physical, databaseKey: SecretKey.generate() });
  const plaintext = new TextEncoder().encode('the value that must not change');
  await store.transaction((tx) => tx.put('victim', plaintext));
  const original = await physical.transaction(async (tx) => (await tx.get('d/victim'))!.value);
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        // Flip bits at one position.
        fc
          .tuple(fc.nat({ max: original.length - 1 }), fc.integer({ min: 1, max: 255 }))
          .map(([at, mask]) => {
            const v = Uint8Array.from(original);
            v[at]! ^= mask;
            return v;
          }),
        // Truncate or extend.
        fc.nat({ max: original.length - 1 }).map((n) => original.slice(0, n)),
        fc
          .uint8Array({ minLength: 1, maxLength: 8 })
          .map((extra) => Uint8Array.from([...original, ...extra])),
        // Anything at all.
        fc.uint8Array({ maxLength: 200 }),
      ),
      async (tampered) => {
        await physical.transaction(async (tx) => {
          await tx.put('d/victim', tampered);
        });
        await assert.rejects(
          store.transaction((tx) => tx.get('victim')),
          (error) => {
            assert.equal(codeOf(error), 'CAS_STORE_INTEGRITY');
            return true;
          },
        );
      },
    ),
    { numRuns: 200 },
  );
  await store.close();
});

test('any JSON text parses as a key store or is CAS_STORE_KEYSTORE_TAMPERED', () => {
  fc.assert(
    fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
      try {
        const document = parseKeyStore(text, 'fuzz');
        assert.equal(document.format, 'cas-key-store-v1');
        assert.ok(Array.isArray(document.entries));
      } catch (error) {
        assert.equal(codeOf(error), 'CAS_STORE_KEYSTORE_TAMPERED');
      }
    }),
    { numRuns: 500 },
  );
});
