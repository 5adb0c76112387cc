import { CasError } from '../../errors/cas-error.js';
import {
  derBytes,
  derChildren,
  derSerialHex,
  derTime,
  expectTag,
  readDer,
} from '../../encoding/der-reader.js';
import { algorithmOid, bitStringBytes, verifyEcdsaDer, type Certificate } from './x509.js';
import { checkWindow } from './window.js';

/** A parsed certificate revocation list. */
export interface Crl {
  readonly issuerDer: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly revokedSerials: ReadonlySet<string>;
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: string;
  /** The whole AlgorithmIdentifier, for algorithms with parameters (AMD's RSA-PSS). */
  readonly signatureAlgorithmDer: Uint8Array;
  readonly signature: Uint8Array;
}

const CODE = 'CAS_ATTESTATION_CRL_INVALID';

/**
 * Parses a DER CRL (RFC 5280 §5.1); every read is bounds-checked. Not Intel-specific: the SNP
 * verifier parses AMD's CRLs with it too.
 */
export function parseCrl(der: Uint8Array): Crl {
  const root = expectTag(readDer(der, 0, CODE), 0x30, CODE, 'a CRL');
  if (root.end !== der.length) throw new CasError(CODE, 'CRL has trailing bytes.');
  const [tbsNode, sigAlg, sigValue] = derChildren(root, CODE);
  const tbs = expectTag(tbsNode, 0x30, CODE, 'a TBS CRL');
  const fields = derChildren(tbs, CODE);
  let i = fields[0]?.tag === 0x02 ? 1 : 0;
  i++; // inner signature algorithm
  const issuer = expectTag(fields[i++], 0x30, CODE, 'a CRL issuer');
  const thisUpdateNode = fields[i++];
  if (thisUpdateNode === undefined) throw new CasError(CODE, 'CRL has no thisUpdate.');
  const thisUpdate = derTime(thisUpdateNode, CODE);
  const next = fields[i];
  // nextUpdate is optional in RFC 5280 but Intel always sets it; a CRL without one cannot be
  // judged for freshness, so it is refused.
  if (next === undefined || (next.tag !== 0x17 && next.tag !== 0x18)) {
    throw new CasError(CODE, 'CRL has no nextUpdate.');
  }
  const nextUpdate = derTime(next, CODE);
  i++;
  const revokedSerials = new Set<string>();
  const list = fields[i];
  if (list?.tag === 0x30) {
    for (const entry of derChildren(list, CODE)) {
      const [serial] = derChildren(expectTag(entry, 0x30, CODE, 'a revoked entry'), CODE);
      revokedSerials.add(derSerialHex(expectTag(serial, 0x02, CODE, 'a serial'), CODE));
    }
  }
  return {
    issuerDer: derBytes(issuer),
    thisUpdate,
    nextUpdate,
    revokedSerials,
    tbs: derBytes(tbs),
    signatureAlgorithm: algorithmOid(sigAlg, CODE),
    signatureAlgorithmDer: derBytes(expectTag(sigAlg, 0x30, CODE, 'an algorithm identifier')),
    signature: bitStringBytes(sigValue, CODE),
  };
}

/**
 * Checks a CRL against the certificate of its issuer (name and signature) and its window at
 * `now`, then that `covered` is not revoked by it. `what` names the CRL in messages.
 */
export function checkCrl(
  crl: Crl,
  issuer: Certificate,
  covered: readonly Certificate[],
  now: Date,
  what: string,
): void {
  if (!Buffer.from(crl.issuerDer).equals(Buffer.from(issuer.subjectDer))) {
    throw new CasError(CODE, `The ${what} is not issued by ${issuer.subjectCn}.`, {
      details: { crl: what },
    });
  }
  if (!verifyEcdsaDer(crl.signatureAlgorithm, crl.tbs, crl.signature, issuer.publicKey)) {
    throw new CasError(CODE, `The ${what} signature does not verify with ${issuer.subjectCn}.`, {
      details: { crl: what },
    });
  }
  checkWindow(crl.thisUpdate, crl.nextUpdate, now, what, 'collateral');
  for (const cert of covered) {
    if (crl.revokedSerials.has(cert.serialHex)) {
      throw new CasError(
        'CAS_ATTESTATION_CERT_REVOKED',
        `${cert.subjectCn} is revoked (${what}).`,
        {
          details: { certificate: cert.subjectCn, serial: cert.serialHex },
        },
      );
    }
  }
}
