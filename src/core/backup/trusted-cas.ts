import { verify, X509Certificate } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { keyHashOfCertificate } from '../../crypto/key-hash.js';

/**
 * The CASes whose key-store entries this instance accepts besides its own: primaries that
 * registered it as a backup (after it checked their evidence), kept as certificates in
 * `<state dir>/trusted-cas/<key hash>.pem`.
 */
export interface TrustedCases {
  /** Remembers a verified primary's CAS certificate. */
  add(certPem: string): void;
  /** Checks a key-store entry signature by `signedBy` (one of the trusted CASes). */
  verify(message: Uint8Array, signature: Uint8Array, signedBy: string): boolean;
}

/** The trusted CASes of the instance whose state directory is `stateDir`. */
export function trustedCases(stateDir: string): TrustedCases {
  const dir = join(stateDir, 'trusted-cas');
  const load = (): Map<string, X509Certificate> => {
    const found = new Map<string, X509Certificate>();
    if (!existsSync(dir)) return found;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.pem'))) {
      try {
        const cert = new X509Certificate(readFileSync(join(dir, file)));
        found.set(keyHashOfCertificate(cert), cert);
      } catch {
        // An unreadable file trusts nobody.
      }
    }
    return found;
  };
  return {
    add(certPem) {
      const hash = keyHashOfCertificate(certPem);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const tmp = join(dir, `${hash}.pem.tmp`);
      writeFileSync(tmp, certPem, { mode: 0o600 });
      renameSync(tmp, join(dir, `${hash}.pem`));
    },
    verify(message, signature, signedBy) {
      const cert = load().get(signedBy);
      if (cert === undefined) return false;
      try {
        // The CAS key signs through WebCrypto (r ‖ s, 64 bytes); accept DER as well.
        const dsaEncoding = signature.length === 64 ? 'ieee-p1363' : 'der';
        return verify('sha256', message, { key: cert.publicKey, dsaEncoding }, signature);
      } catch {
        return false;
      }
    },
  };
}
