import type { X509Certificate } from 'node:crypto';
import { keyHashOfCertificate } from '../crypto/key-hash.js';
import { CasError } from '../errors/cas-error.js';

/** The keys the launcher requires in the CAS's TLS chain (`SCONE_CAS_*_KEY_HASH`). */
export interface CasPins {
  readonly casKeyHash?: string;
  readonly softwareKeyHash?: string;
}

/**
 * Checks the CAS's TLS chain (leaf first, as the server sent it) against the pins. The TLS
 * handshake proved possession of the leaf key, so:
 *
 * - `softwareKeyHash` must be the key hash of the leaf;
 * - `casKeyHash` must be the key hash of a certificate of the chain, and every certificate
 *   from the leaf up to it must be signed by the next one (so the pinned CAS key vouches for
 *   the leaf key that spoke TLS).
 *
 * With no pin at all nothing is checked (the caller warns loudly).
 *
 * @throws CAS_LAUNCHER_CAS_UNTRUSTED naming the key hashes the chain has.
 */
export function checkCasPins(chain: readonly X509Certificate[], pins: CasPins): void {
  const hashes = chain.map((c) => keyHashOfCertificate(c));
  const untrusted = (why: string): CasError =>
    new CasError('CAS_LAUNCHER_CAS_UNTRUSTED', `the CAS is not the pinned one: ${why}`, {
      details: { chain_key_hashes: hashes },
    });
  if (chain.length === 0) throw untrusted('it sent no certificate');
  if (pins.softwareKeyHash !== undefined && hashes[0] !== pins.softwareKeyHash) {
    throw untrusted(
      `its TLS key is ${hashes[0]}, SCONE_CAS_SOFTWARE_KEY_HASH is ${pins.softwareKeyHash}`,
    );
  }
  if (pins.casKeyHash !== undefined) {
    const index = hashes.indexOf(pins.casKeyHash);
    if (index < 0) {
      throw untrusted(
        `no certificate of its chain (${hashes.join(', ')}) has the key SCONE_CAS_KEY_HASH=${pins.casKeyHash}`,
      );
    }
    for (let i = 0; i < index; i += 1) {
      if (!chain[i]!.verify(chain[i + 1]!.publicKey)) {
        throw untrusted(`certificate ${i} of its chain is not signed by certificate ${i + 1}`);
      }
    }
  }
}
