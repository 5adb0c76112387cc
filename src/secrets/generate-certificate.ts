import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { SecretSpec } from '../policy/types.js';
import { CasError } from '../errors/cas-error.js';
import {
  BACKDATE_SECONDS,
  certificateParamsSha256,
  commonName,
  validFor,
} from './certificate-params.js';
import { explicitCertificate } from './explicit-certificate.js';
import type { GenerateContext } from './generator.js';
import { issueCertificate } from './issue-certificate.js';
import {
  DEFAULT_KEY_TYPE,
  generatePrivateKey,
  keyTypeOf,
  pkcs8Pem,
  sha256Hex,
} from './key-material.js';
import { resolveReference } from './resolve-reference.js';
import { publicKeyInfo } from './public-key-info.js';
import { SecretValue, type CertificateData } from './secret-value.js';

/**
 * Generates an `x509` or `x509-ca` secret. The key is the `private_key` secret, or a fresh key
 * of `key_type`. The issuer is the `issuer` secret (an `x509-ca` holding its private key), or
 * the certificate is self-signed. The validity starts {@link BACKDATE_SECONDS} before now, runs
 * `valid_for` seconds, and never past the issuer's own end. The serial is 128 random bits.
 * An explicit `value` is parsed and checked instead (see `explicitCertificate`).
 *
 * @throws CAS_SECRETS_BAD_REFERENCE, CAS_SECRETS_INVALID_PARAMS, CAS_SECRETS_INVALID_VALUE.
 */
export async function generateCertificate(
  spec: SecretSpec,
  ctx: GenerateContext,
): Promise<SecretValue> {
  if (spec.kind !== 'x509' && spec.kind !== 'x509-ca') {
    throw new RangeError(`generateCertificate called for a ${spec.kind}`);
  }
  if (spec.value !== undefined) return explicitCertificate(spec, ctx);
  const kind = spec.kind;
  const seconds = validFor(spec);
  const paramsSha256 = certificateParamsSha256(spec);

  const subjectKey = await certificateKey(spec, ctx);
  const issuer = spec.issuer === undefined ? undefined : issuerOf(spec, spec.issuer, ctx);

  const notBefore = new Date(ctx.now.getTime() - BACKDATE_SECONDS * 1000);
  let notAfter = new Date(ctx.now.getTime() + seconds * 1000);
  if (issuer !== undefined && issuer.notAfter < notAfter) notAfter = issuer.notAfter;
  if (notAfter <= ctx.now) {
    throw new CasError(
      'CAS_SECRETS_BAD_REFERENCE',
      `secret '${spec.name}': issuer '${spec.issuer ?? ''}' has expired; it must be renewed first`,
    );
  }

  const serial = ctx.randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  const certificatePem = await issueCertificate({
    name: spec.name,
    ca: kind === 'x509-ca',
    subjectKey,
    commonName: commonName(spec),
    san: spec.san ?? [],
    ...(spec.endpoint === undefined ? {} : { endpoint: spec.endpoint }),
    notBefore,
    notAfter,
    serialHex: serial.toString('hex'),
    ...(issuer === undefined
      ? {}
      : { issuer: { certificatePem: issuer.data.certificate_pem, privateKey: issuer.key } }),
  });

  const data: CertificateData = {
    kind,
    origin: 'generated',
    certificate_pem: certificatePem,
    chain_pem: issuer === undefined ? [] : [issuer.data.certificate_pem, ...issuer.data.chain_pem],
    private_key_pem: pkcs8Pem(subjectKey),
    key_type: keyTypeOf(subjectKey),
    // The SPKI from the key's JWK: the same bytes as OpenSSL's export, at a fraction of its cost.
    spki_sha256: sha256Hex(publicKeyInfo(subjectKey).spki),
    issuer_sha256: issuer === undefined ? null : certificateSha256(issuer.data.certificate_pem),
    params_sha256: paramsSha256,
    not_before: notBefore.toISOString(),
    not_after: notAfter.toISOString(),
  };
  return new SecretValue(data);
}

/**
 * SHA-256 of a certificate's DER: how a certificate records which issuer signed it. The DER is
 * the base64 of the first CERTIFICATE block, decoded without parsing the certificate.
 *
 * @throws CAS_SECRETS_INVALID_VALUE when the text has no CERTIFICATE block.
 */
export function certificateSha256(pem: string): string {
  const block = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem);
  if (block === null) {
    throw new CasError('CAS_SECRETS_INVALID_VALUE', 'the text holds no PEM certificate');
  }
  return sha256Hex(Buffer.from(block[1]!.replace(/\s+/g, ''), 'base64'));
}

/** The key object of a PKCS#8 PEM, parsed once per generation. */
function privateKeyOf(ctx: GenerateContext, pem: string): KeyObject {
  let key = ctx.keys?.get(pem);
  if (key === undefined) {
    key = createPrivateKey(pem);
    ctx.keys?.set(pem, key);
  }
  return key;
}

async function certificateKey(spec: SecretSpec, ctx: GenerateContext): Promise<KeyObject> {
  if (spec.private_key === undefined) return generatePrivateKey(spec.key_type ?? DEFAULT_KEY_TYPE);
  const key = resolveReference(ctx, spec.name, 'private_key', spec.private_key, ['private-key']);
  return privateKeyOf(ctx, key.pkcs8_pem);
}

function issuerOf(
  spec: SecretSpec,
  name: string,
  ctx: GenerateContext,
): { data: CertificateData; key: KeyObject; notAfter: Date } {
  const data = resolveReference(ctx, spec.name, 'issuer', name, ['x509-ca']);
  if (data.private_key_pem === undefined) {
    throw new CasError(
      'CAS_SECRETS_BAD_REFERENCE',
      `secret '${spec.name}': issuer '${name}' has no private key (imported without it?), so it cannot issue`,
    );
  }
  return {
    data,
    key: privateKeyOf(ctx, data.private_key_pem),
    notAfter: new Date(data.not_after),
  };
}
