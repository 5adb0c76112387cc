// Test certificates: a CAS certificate and a CAS software (TLS leaf) certificate it signs,
// made fresh for each test run with @peculiar/x509 (the chain `scone cas attest` pins).
import { webcrypto } from 'node:crypto';
import { x509 } from '../../../src/crypto/x509.js';
import type { PinnedCas } from '../../../src/cli/pinned-cas.js';
import { keyHashOfCertificate } from '../../../src/crypto/key-hash.js';

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

function keys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
}

/** A CAS chain: software certificate PEM then CAS certificate PEM. */
export async function casChain(): Promise<{ chain: string; casPem: string; softwarePem: string }> {
  const casKeys = await keys();
  const swKeys = await keys();
  const validity = { notBefore: new Date('2025-01-01'), notAfter: new Date('2035-01-01') };
  const cas = await x509.X509CertificateGenerator.createSelfSigned(
    { serialNumber: '01', name: 'CN=cas', keys: casKeys, signingAlgorithm: alg, ...validity },
    webcrypto,
  );
  const software = await x509.X509CertificateGenerator.create(
    {
      serialNumber: '02',
      subject: 'CN=cas-instance',
      issuer: cas.subject,
      publicKey: swKeys.publicKey,
      signingKey: casKeys.privateKey,
      signingAlgorithm: alg,
      ...validity,
    },
    webcrypto,
  );
  const casPem = cas.toString('pem');
  const softwarePem = software.toString('pem');
  return { chain: `${softwarePem}\n${casPem}\n`, casPem, softwarePem };
}

/** A complete pinned entry for `address`. */
export async function pinnedCas(address: string): Promise<PinnedCas> {
  const { chain, casPem, softwarePem } = await casChain();
  return {
    url: `https://${address}:8081/`,
    address,
    chain,
    cas_key_hash: keyHashOfCertificate(casPem),
    software_key_hash: keyHashOfCertificate(softwarePem),
    relaxations: [],
    attested_at: '2026-01-01T00:00:00.000Z',
  };
}

/** Writes a 0600 state file with a fresh identity and the given pinned CASes. */
export async function writeStateWithCas(
  path: string,
  casDb: Record<string, PinnedCas>,
  defaultCas?: string,
): Promise<void> {
  const { generateIdentity } = await import('../../../src/crypto/identity.js');
  const { writeFileSync } = await import('node:fs');
  const identity = (await generateIdentity()).toPem();
  const state = {
    identity,
    cas_db: casDb,
    ...(defaultCas === undefined ? {} : { default_cas: defaultCas }),
  };
  writeFileSync(path, JSON.stringify(state), { mode: 0o600 });
}
