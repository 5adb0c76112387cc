import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import type { KeyType } from '../policy/types.js';
import { base32Encode } from './base32.js';
import { ed25519Pkcs8V2 } from './ed25519-pkcs8-v2.js';
import { pkcs12WithPrivateKey } from './pkcs12.js';
import type { SecretData } from './secret-value.js';

/** A rendered placeholder: text, or bytes that only a file can hold. */
export type Rendered = { readonly text: string } | { readonly bytes: Buffer };

/** Why a format could not be rendered (the caller names the placeholder). */
export class RenderRefusal extends Error {
  override readonly name = 'RenderRefusal';
}

/**
 * Renders one secret value in one placeholder format ('' = none), per the secret-kind table
 * of scone-reference §1.4. The caller has checked the format against `allowedFormats`; a
 * format this function does not know is refused too (fail closed).
 *
 * Private keys render as PKCS#8; for Ed25519 the DER forms are PKCS#8 v2 (with the public key,
 * as SCONE and the `ring` crate expect) and the PEM forms v1 (what OpenSSL 3.0 and Node read).
 *
 * @throws RenderRefusal when the value cannot give this format (for example a certificate
 *   imported without its private key).
 */
export function renderFormat(data: SecretData, format: string): Rendered {
  switch (data.kind) {
    case 'ascii':
      if (format === '') return { text: data.text };
      break;
    case 'binary':
      return binaryFormat(Buffer.from(data.hex, 'hex'), format);
    case 'private-key':
      return privateKeyFormat(data.pkcs8_pem, data.key_type, format);
    case 'public-key':
      if (format === '' || format === 'spki:pem') return { text: data.spki_pem };
      if (format === 'spki:der') {
        return { bytes: createPublicKey(data.spki_pem).export({ type: 'spki', format: 'der' }) };
      }
      break;
    case 'x509':
    case 'x509-ca':
      return certificateFormat(data, format);
    case 'config-fragment':
      break;
  }
  throw new RenderRefusal(`format '${format}' is not available for a ${data.kind} secret`);
}

function binaryFormat(bytes: Buffer, format: string): Rendered {
  switch (format) {
    case '':
    case 'bin':
      return { bytes };
    case 'hex':
      return { text: bytes.toString('hex') };
    case 'base64':
      return { text: bytes.toString('base64') };
    case 'base64url':
      return { text: bytes.toString('base64url') };
    case 'base32':
      return { text: base32Encode(bytes) };
    case 'base32nopad':
      return { text: base32Encode(bytes, false) };
    default:
      throw new RenderRefusal(`format '${format}' is not available for a binary secret`);
  }
}

function privateKeyFormat(pem: string, keyType: KeyType | undefined, format: string): Rendered {
  switch (format) {
    case '':
    case 'pem':
    case 'pkcs8:pem':
      return { text: pem };
    case 'der':
    case 'pkcs8:der': {
      const key = createPrivateKey(pem);
      if (keyType === 'Ed25519') return { bytes: ed25519Pkcs8V2(key) };
      return { bytes: key.export({ type: 'pkcs8', format: 'der' }) };
    }
    default:
      throw new RenderRefusal(`format '${format}' is not available for a private key`);
  }
}

function certificateFormat(
  data: Extract<SecretData, { kind: 'x509' | 'x509-ca' }>,
  format: string,
): Rendered {
  switch (format) {
    case '':
    case 'crt':
    case 'crt:pem':
      return { text: data.certificate_pem };
    case 'crt:der':
      return { bytes: Buffer.from(new X509Certificate(data.certificate_pem).raw) };
    case 'chain':
      return { text: data.chain_pem.join('') };
    default:
      break;
  }
  const pkcs12 = format === 'pkcs12-with-private-key';
  if (!pkcs12 && format !== 'privatekey' && !format.startsWith('privatekey:')) {
    throw new RenderRefusal(`format '${format}' is not available for a certificate`);
  }
  const key = data.private_key_pem;
  if (key === undefined) {
    throw new RenderRefusal(
      'the certificate has no private key here (imported without its key secret)',
    );
  }
  if (pkcs12) return { bytes: pkcs12WithPrivateKey(data.certificate_pem, data.chain_pem, key) };
  const rest = format === 'privatekey' ? '' : format.slice('privatekey:'.length);
  return privateKeyFormat(key, data.key_type, rest);
}
