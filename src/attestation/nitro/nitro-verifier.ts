/**
 * The AWS Nitro Enclaves verifier: a COSE_Sign1 attestation document signed (ES384) by a leaf
 * certificate whose chain, given in the document's cabundle, starts at the pinned AWS Nitro
 * root G1. Every certificate is checked at the verification time the caller gives (never the
 * document's own timestamp: amendment 1). A debug-mode enclave (PCR0, PCR1 and PCR2 all zero)
 * is refused unless debug is allowed.
 */
import { timingSafeEqual, verify } from 'node:crypto';
import { CasError } from '../../errors/cas-error.js';
import {
  OID_ECDSA_SHA384,
  checkIssuedBy,
  checkValidAt,
  parseCertificate,
  type ParsedCertificate,
} from '../pki/certificate.js';
import { isPinned } from '../roots.js';
import type { Claims, Verifier, VerifyRequest } from '../verifier.js';
import { parseNitroDocument, type NitroDocument } from './attestation-document.js';
import { parseCoseSign1, sigStructure } from './cose-sign1.js';

/** Nitro needs no collateral: the chain travels in the document and the root is built in. */
export type NitroCollateral = undefined | Readonly<Record<string, never>>;

const MAX_DOCUMENT = 64 * 1024;
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Checks cabundle[0] is the pinned root and each certificate issues the next, down to the leaf. */
function verifyChain(document: NitroDocument, now: Date): ParsedCertificate {
  const [rootDer] = document.cabundle;
  if (rootDer === undefined || !isPinned('aws-nitro-root-g1', rootDer)) {
    throw new CasError(
      'CAS_ATTESTATION_ROOT_UNTRUSTED',
      'The Nitro document chain does not start at the pinned AWS Nitro Enclaves Root G1.',
    );
  }
  const chain = document.cabundle.map((der, index) =>
    parseCertificate(der, index === 0 ? 'AWS Nitro root' : `Nitro cabundle[${index}]`),
  );
  const leaf = parseCertificate(document.certificate, 'Nitro leaf');
  chain.push(leaf);
  for (let i = 1; i < chain.length; i += 1)
    checkIssuedBy(chain[i]!, chain[i - 1]!, OID_ECDSA_SHA384);
  for (const certificate of chain) checkValidAt(certificate, now);
  const key = leaf.x509.publicKey;
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'secp384r1') {
    throw new CasError(
      'CAS_ATTESTATION_CHAIN_INVALID',
      'The Nitro leaf key is not an ECDSA P-384 key.',
    );
  }
  return leaf;
}

function isZero(bytes: Uint8Array | undefined): boolean {
  return bytes !== undefined && bytes.every((byte) => byte === 0);
}

/**
 * Debug mode (PCR0-2 all zero) only when allowed, and the expected binding in `user_data`.
 * Returns whether the enclave runs in debug mode.
 */
function checkEnclave(document: NitroDocument, request: VerifyRequest<NitroCollateral>): boolean {
  for (const index of [0, 1, 2]) {
    if (!document.pcrs.has(index)) {
      throw new CasError(
        'CAS_ATTESTATION_EVIDENCE_MALFORMED',
        `Nitro attestation document: PCR${index} is missing.`,
      );
    }
  }
  const debug = [0, 1, 2].every((index) => isZero(document.pcrs.get(index)));
  if (debug && request.allowDebug !== true) {
    throw new CasError(
      'CAS_ATTESTATION_DEBUG_REFUSED',
      'The Nitro enclave runs in debug mode (PCR0, PCR1 and PCR2 are zero); debug enclaves are refused unless debug is allowed.',
      {
        details: { module_id: document.moduleId },
      },
    );
  }
  const expected = request.expectedReportData;
  if (expected !== undefined) {
    const userData = document.userData;
    if (
      userData === null ||
      userData.length !== expected.length ||
      !timingSafeEqual(userData, expected)
    ) {
      throw new CasError(
        'CAS_ATTESTATION_REPORT_DATA_MISMATCH',
        'The Nitro document user_data is not the expected binding.',
        {
          details: { user_data: userData === null ? null : hex(userData) },
        },
      );
    }
  }
  return debug;
}

/**
 * Verifies a Nitro attestation document and returns its claims.
 * @throws CasError with a `CAS_ATTESTATION_*` code when the document is not acceptable.
 */
export function verifyNitroDocument(request: VerifyRequest<NitroCollateral>): Claims {
  if (request.evidence.length > MAX_DOCUMENT) {
    throw new CasError(
      'CAS_ATTESTATION_EVIDENCE_MALFORMED',
      `Nitro attestation document: larger than ${MAX_DOCUMENT} bytes.`,
    );
  }
  const message = parseCoseSign1(request.evidence);
  const document = parseNitroDocument(message.payload);
  const leaf = verifyChain(document, request.now);
  const valid = verify(
    'sha384',
    sigStructure(message),
    { key: leaf.x509.publicKey, dsaEncoding: 'ieee-p1363' },
    message.signature,
  );
  if (!valid) {
    throw new CasError(
      'CAS_ATTESTATION_SIGNATURE_INVALID',
      'The Nitro document signature (COSE_Sign1, ES384) does not verify with its leaf certificate.',
    );
  }
  const debug = checkEnclave(document, request);
  const measurements: Record<string, string> = {};
  for (const [index, value] of document.pcrs) measurements[`pcr${index}`] = hex(value);
  return {
    type: 'nitro',
    report_data: document.userData === null ? '' : hex(document.userData),
    measurements,
    tcb_status: 'NotApplicable',
    advisory_ids: [],
    debug,
    extra: {
      module_id: document.moduleId,
      digest: document.digest,
      timestamp: document.timestamp,
      public_key: document.publicKey === null ? null : hex(document.publicKey),
      user_data: document.userData === null ? null : hex(document.userData),
      nonce: document.nonce === null ? null : hex(document.nonce),
    },
  };
}

/** The Nitro verifier. */
export const nitroVerifier: Verifier<NitroCollateral> = {
  type: 'nitro',
  verify: (request) => Promise.resolve().then(() => verifyNitroDocument(request)),
};
