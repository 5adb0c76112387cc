import { SecretValue, type CertificateData } from './secret-value.js';

/**
 * The value an importer receives: the exporter's value marked `imported`, and for a
 * certificate without its private key unless `withPrivateKey` (see `canImport`). A
 * `private-key` secret is imported as is, since exporting it was the exporter's decision.
 */
export function importedValue(value: SecretValue, withPrivateKey: boolean): SecretValue {
  const data = value.reveal();
  if ((data.kind === 'x509' || data.kind === 'x509-ca') && !withPrivateKey) {
    const withoutKey: CertificateData = {
      kind: data.kind,
      origin: 'imported',
      certificate_pem: data.certificate_pem,
      chain_pem: data.chain_pem,
      spki_sha256: data.spki_sha256,
      issuer_sha256: data.issuer_sha256,
      params_sha256: data.params_sha256,
      not_before: data.not_before,
      not_after: data.not_after,
    };
    return new SecretValue(withoutKey);
  }
  return new SecretValue({ ...data, origin: 'imported' });
}
