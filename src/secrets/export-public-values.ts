import type { SecretKind, Session } from '../policy/types.js';
import type { SecretValue } from './secret-value.js';

/** The public rendering of one `export_public` secret, as `/v1/values` returns it. */
export interface PublicValue {
  readonly name: string;
  readonly kind: SecretKind;
  /**
   * `ascii`: the text; `binary`: hex; `public-key`: SPKI PEM; `x509`/`x509-ca`:
   * `{certificate, chain}` PEMs (never the key); `config-fragment`: the data.
   */
  readonly value: unknown;
}

/**
 * The `export_public` secrets of a session in their public form. A `private-key` is never
 * exported this way (the policy layer refuses `export_public` on one; this function skips it
 * too, fail closed), and a certificate exposes its certificate and chain only. Secrets
 * without a value yet (an import that did not resolve) are left out.
 */
export function exportPublicValues(
  session: Session,
  values: ReadonlyMap<string, SecretValue>,
): PublicValue[] {
  const out: PublicValue[] = [];
  for (const spec of session.secrets) {
    if (spec.export_public !== true) continue;
    const value = values.get(spec.name);
    if (value === undefined) continue;
    const d = value.reveal();
    switch (d.kind) {
      case 'ascii':
        out.push({ name: spec.name, kind: d.kind, value: d.text });
        break;
      case 'binary':
        out.push({ name: spec.name, kind: d.kind, value: d.hex });
        break;
      case 'public-key':
        out.push({ name: spec.name, kind: d.kind, value: d.spki_pem });
        break;
      case 'x509':
      case 'x509-ca':
        out.push({
          name: spec.name,
          kind: d.kind,
          value: { certificate: d.certificate_pem, chain: [...d.chain_pem] },
        });
        break;
      case 'config-fragment':
        out.push({ name: spec.name, kind: d.kind, value: d.data });
        break;
      case 'private-key':
        break;
    }
  }
  return out;
}
