import type { SecretSpec } from '../policy/types.js';
import { DEFAULT_ASCII_SIZE } from './generate-ascii.js';
import { DEFAULT_BINARY_SIZE } from './generate-binary.js';
import { certificateParamsSha256 } from './certificate-params.js';
import { certificateSha256 } from './generate-certificate.js';
import { DEFAULT_KEY_TYPE } from './key-material.js';
import type { SecretValue } from './secret-value.js';

/**
 * Whether a previously generated value still satisfies its (possibly updated) spec, given the
 * values its references resolve to now. Certificates are kept only while their parameters, key
 * and issuer are unchanged and they have not expired; everything else is kept while its kind
 * and size or key type are unchanged. Explicit and imported values are never "kept": they
 * always follow the current file or exporter.
 */
export function canKeep(
  spec: SecretSpec,
  candidate: SecretValue,
  resolve: (name: string) => SecretValue | undefined,
  now: Date,
): boolean {
  const c = candidate.reveal();
  if (c.origin !== 'generated' || spec.value !== undefined || spec.import !== undefined)
    return false;
  if (c.kind !== spec.kind) return false;
  switch (c.kind) {
    case 'ascii':
      return c.text.length === (spec.size ?? DEFAULT_ASCII_SIZE);
    case 'binary':
      return c.hex.length === 2 * (spec.size ?? DEFAULT_BINARY_SIZE);
    case 'private-key':
      return c.key_type === (spec.key_type ?? DEFAULT_KEY_TYPE);
    case 'public-key': {
      const key = spec.private_key === undefined ? undefined : resolve(spec.private_key)?.reveal();
      return key?.kind === 'private-key' && key.spki_sha256 === c.spki_sha256;
    }
    case 'x509':
    case 'x509-ca': {
      if (c.private_key_pem === undefined || new Date(c.not_after) <= now) return false;
      let params: string;
      try {
        params = certificateParamsSha256(spec);
      } catch {
        return false; // Invalid parameters: let the generator report them.
      }
      if (params !== c.params_sha256) return false;
      if (spec.private_key !== undefined) {
        const key = resolve(spec.private_key)?.reveal();
        if (key?.kind !== 'private-key' || key.spki_sha256 !== c.spki_sha256) return false;
      }
      if (spec.issuer === undefined) return c.issuer_sha256 === null;
      const issuer = resolve(spec.issuer)?.reveal();
      return (
        issuer?.kind === 'x509-ca' &&
        certificateSha256(issuer.certificate_pem) === c.issuer_sha256 &&
        new Date(issuer.not_after) > now
      );
    }
    case 'config-fragment':
      return false;
  }
}
