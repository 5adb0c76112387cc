import { randomBytes, X509Certificate } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { openSimReport } from '../attestation/sim/sim-report.js';
import { selfReportData, type CasSelfEvidence } from '../core/self-evidence.js';
import { keyHashOfCertificate, keyHashOfSpki } from '../crypto/key-hash.js';
import { CasError, isCasError } from '../errors/cas-error.js';
import { splitCasAddress } from './cas-address.js';

/** What the user asked `scone cas attest` to require, and which relaxations they allow. */
export interface AttestExpectations {
  readonly casKeyHash?: string | undefined;
  readonly softwareKeyHash?: string | undefined;
  /** Expected CAS measurement (64 hex). */
  readonly mrenclave?: string | undefined;
  /** `--only_for_testing-debug`: accept a CAS in simulation mode or a debug enclave. */
  readonly allowDebug: boolean;
  /** `--allow-cas-owner-secret-access`: accept a CAS whose owner injected the database key. */
  readonly allowOwnerSecretAccess: boolean;
  /** `--only_for_testing-trust-any`: skip the evidence checks (the keys are still pinned). */
  readonly trustAny: boolean;
  /** `--mrsigner`/`--isvprodid`/`--isvsvn` were given: the evidence must carry a signer. */
  readonly signerExpected?: boolean;
  /** `--only_for_testing-ignore-signer`. */
  readonly ignoreSigner?: boolean;
}

/** An attested CAS: what the CLI pins. */
export interface AttestedCas {
  readonly chain: string;
  readonly casKeyHash: string;
  readonly softwareKeyHash: string;
  readonly casCertPem: string;
  readonly evidence: CasSelfEvidence;
}

function refused(message: string): CasError {
  return new CasError('CAS_SERVER_ATTESTATION_REFUSED', message);
}

function invalid(message: string, cause?: unknown): CasError {
  return new CasError('CAS_SERVER_EVIDENCE_INVALID', message, cause === undefined ? {} : { cause });
}

/** GET /v1/attest on one connection; returns the answer and that connection's TLS leaf. */
function fetchEvidence(address: string, nonce: Buffer): Promise<{ body: unknown; leaf: Buffer }> {
  const { host, port } = splitCasAddress(address);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host,
        port,
        path: `/v1/attest?nonce=${nonce.toString('hex')}`,
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        const leaf = (res.socket as TLSSocket).getPeerCertificate().raw;
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => {
          try {
            resolve({ body: JSON.parse(text) as unknown, leaf });
          } catch (cause) {
            reject(invalid('the CAS answered /v1/attest with something that is not JSON', cause));
          }
        });
      },
    );
    req.on('error', (cause) =>
      reject(
        new CasError('CAS_SERVER_UNREACHABLE', `cannot reach the CAS at ${host}:${port}`, {
          cause,
        }),
      ),
    );
    req.end();
  });
}

/** The leaf and CAS certificates of a chain PEM (leaf first, CAS last), checked to belong together. */
function chainCertificates(chain: string): { leaf: X509Certificate; cas: X509Certificate } {
  const pems = chain.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (pems.length < 2) throw invalid('the CAS chain must hold its software and CAS certificates');
  const leaf = new X509Certificate(pems[0]!);
  const cas = new X509Certificate(pems[pems.length - 1]!);
  if (!leaf.verify(cas.publicKey) || !cas.verify(cas.publicKey)) {
    throw invalid('the software certificate is not certified by the CAS key');
  }
  return { leaf, cas };
}

/**
 * Attests a CAS: fetches its evidence for a fresh nonce and checks, on the same connection,
 * that the TLS leaf is the software key the evidence speaks about, that the CAS key certified
 * it, that the report binds nonce and claims, and the user's expectations and relaxations
 * (§4 refusal rules; each refusal names the flag that would accept it).
 *
 * @throws CAS_SERVER_UNREACHABLE, CAS_SERVER_EVIDENCE_INVALID, CAS_SERVER_ATTESTATION_REFUSED.
 */
export async function attestCas(address: string, expect: AttestExpectations): Promise<AttestedCas> {
  const nonce = randomBytes(32);
  const { body, leaf } = await fetchEvidence(address, nonce);
  const error = (body as { error?: { code?: string; message?: string } }).error;
  if (error !== undefined)
    throw invalid(`the CAS refused to attest: ${error.message ?? ''} (${error.code ?? ''})`);
  const ev = body as CasSelfEvidence;
  if (
    typeof ev.chain !== 'string' ||
    typeof ev.evidence !== 'string' ||
    typeof ev.claims !== 'object'
  ) {
    throw invalid('the CAS answered /v1/attest without evidence, claims and chain');
  }
  const { leaf: leafCert, cas } = chainCertificates(ev.chain);
  const softwareKeyHash = keyHashOfCertificate(leaf);
  const casKeyHash = keyHashOfCertificate(cas);
  if (keyHashOfCertificate(leafCert) !== softwareKeyHash) {
    throw invalid('the chain the CAS sent is not the one it presented on this TLS connection');
  }
  if (!expect.trustAny) {
    if (ev.claims.software_key_hash !== softwareKeyHash || ev.claims.cas_key_hash !== casKeyHash) {
      throw invalid('the evidence speaks about other keys than the ones of this TLS connection');
    }
    let report;
    try {
      report = openSimReport(Buffer.from(ev.evidence, 'base64'));
    } catch (cause) {
      throw invalid(
        `the evidence does not verify${isCasError(cause) ? `: ${cause.message}` : ''}`,
        cause,
      );
    }
    if (report.body.report_data !== selfReportData(nonce, ev.claims).toString('hex')) {
      throw invalid(
        'the evidence is not bound to this nonce and these claims (replayed or altered)',
      );
    }
    if (keyHashOfSpki(Buffer.from(report.body.platform_key, 'base64')) !== casKeyHash) {
      throw invalid('the simulated evidence is not signed by the CAS key of this chain');
    }
    if (
      expect.mrenclave !== undefined &&
      report.body.measurement !== expect.mrenclave.toLowerCase()
    ) {
      throw refused(
        `the CAS measurement is ${report.body.measurement}, not the expected ${expect.mrenclave}`,
      );
    }
    if (expect.signerExpected === true && expect.ignoreSigner !== true) {
      // Simulated evidence has no signer to compare: fail closed rather than skip the check.
      throw refused(
        'the CAS evidence is simulated and carries no signer to check --mrsigner/--isvprodid/--isvsvn against; add --only_for_testing-ignore-signer to accept it',
      );
    }
    if (ev.claims.platform_mode === 'sim' && !expect.allowDebug) {
      throw refused(
        'the CAS runs in simulation mode (no TEE protects it); add --only_for_testing-debug to accept it for testing',
      );
    }
    if (ev.claims.db_key_injected && !expect.allowOwnerSecretAccess) {
      throw refused(
        'the CAS owner injected the database key, so the owner can read every secret; add --allow-cas-owner-secret-access to accept that',
      );
    }
  }
  if (expect.casKeyHash !== undefined && expect.casKeyHash !== casKeyHash) {
    throw refused(`the CAS key hash is ${casKeyHash}, not the expected ${expect.casKeyHash} (-c)`);
  }
  if (expect.softwareKeyHash !== undefined && expect.softwareKeyHash !== softwareKeyHash) {
    throw refused(
      `the CAS software key hash is ${softwareKeyHash}, not the expected ${expect.softwareKeyHash} (-s)`,
    );
  }
  return { chain: ev.chain, casKeyHash, softwareKeyHash, casCertPem: cas.toString(), evidence: ev };
}
