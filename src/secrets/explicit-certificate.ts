import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { SecretSpec } from '../policy/types.js';
import { CasError } from '../errors/cas-error.js';
import { certificateParamsSha256 } from './certificate-params.js';
import type { GenerateContext } from './generator.js';
import {
  keyTypeOf,
  parsePrivateKeyPem,
  pkcs8Pem,
  redactCause,
  sha256Hex,
  spkiSha256,
} from './key-material.js';
import { pemBlocks } from './pem-blocks.js';
import { resolveReference } from './resolve-reference.js';
import { SecretValue, type CertificateData } from './secret-value.js';

/**
 * An `x509`/`x509-ca` secret with an explicit PEM `value`: the first CERTIFICATE block is the
 * certificate, further ones its chain (direct issuer first); a PRIVATE KEY block, or the
 * `private_key` secret, is its key, which must match the certificate. With `issuer`, the
 * certificate must verify against that CA and the chain is the CA's. An `x509-ca` value must
 * be a CA certificate. A certificate without a key is accepted (its `:privatekey` cannot be
 * rendered and it cannot issue).
 *
 * @throws CAS_SECRETS_INVALID_VALUE, CAS_SECRETS_BAD_REFERENCE.
 */
export function explicitCertificate(spec: SecretSpec, ctx: GenerateContext): Promise<SecretValue> {
  const invalid = (why: string, cause?: unknown): CasError =>
    new CasError('CAS_SECRETS_INVALID_VALUE', `secret '${spec.name}': ${why}`, {
      ...(cause === undefined ? {} : { cause: redactCause(cause) }),
    });
  if (typeof spec.value !== 'string') throw invalid('a certificate value must be PEM text');
  const blocks = pemBlocks(spec.value);
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE').map((b) => b.text);
  const keyBlocks = blocks.filter((b) => b.label.endsWith('PRIVATE KEY'));
  if (certs.length === 0) throw invalid('the value holds no PEM CERTIFICATE block');
  if (keyBlocks.length > 1) throw invalid('the value holds more than one private key');

  let parsed: X509Certificate[];
  try {
    parsed = certs.map((c) => new X509Certificate(c));
  } catch (cause) {
    throw invalid('a CERTIFICATE block does not parse', cause);
  }
  const cert = parsed[0]!;
  if (spec.kind === 'x509-ca' && !cert.ca)
    throw invalid('an x509-ca value must be a CA certificate');

  let key: KeyObject | undefined =
    keyBlocks[0] === undefined ? undefined : parsePrivateKeyPem(keyBlocks[0].text, spec.name);
  if (spec.private_key !== undefined) {
    const ref = resolveReference(ctx, spec.name, 'private_key', spec.private_key, ['private-key']);
    const refKey = createPrivateKey(ref.pkcs8_pem);
    if (key !== undefined && spkiSha256(key) !== spkiSha256(refKey)) {
      throw invalid('the PEM private key differs from the private_key secret');
    }
    key = refKey;
  }
  if (key !== undefined && !cert.checkPrivateKey(key)) {
    throw invalid('the private key does not match the certificate');
  }

  let chain = certs.slice(1);
  let issuerSha256: string | null = null;
  if (spec.issuer !== undefined) {
    const issuer = resolveReference(ctx, spec.name, 'issuer', spec.issuer, ['x509-ca']);
    const issuerCert = new X509Certificate(issuer.certificate_pem);
    if (!cert.checkIssued(issuerCert) || !cert.verify(issuerCert.publicKey)) {
      throw invalid(`the certificate is not signed by issuer '${spec.issuer}'`);
    }
    chain = [issuer.certificate_pem, ...issuer.chain_pem];
    issuerSha256 = sha256Hex(issuerCert.raw);
  } else if (parsed[1] !== undefined) {
    issuerSha256 = sha256Hex(parsed[1].raw);
  }

  const data: CertificateData = {
    kind: spec.kind === 'x509-ca' ? 'x509-ca' : 'x509',
    origin: 'explicit',
    certificate_pem: certs[0]!,
    chain_pem: chain,
    ...(key === undefined ? {} : { private_key_pem: pkcs8Pem(key), key_type: keyTypeOf(key) }),
    spki_sha256: sha256Hex(cert.publicKey.export({ type: 'spki', format: 'der' })),
    issuer_sha256: issuerSha256,
    params_sha256: certificateParamsSha256(spec),
    not_before: new Date(cert.validFrom).toISOString(),
    not_after: new Date(cert.validTo).toISOString(),
  };
  return Promise.resolve(new SecretValue(data));
}
