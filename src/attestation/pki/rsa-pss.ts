import { verify, constants, type KeyObject } from 'node:crypto';
import { CasError } from '../../errors/cas-error.js';
import type { CasErrorCode } from '../../errors/codes.js';
import {
  derChildren,
  derOid,
  derSmallInt,
  expectTag,
  readDerExact,
} from '../../encoding/der-reader.js';
import { OID_RSASSA_PSS } from './certificate.js';

const OID_MGF1 = '1.2.840.113549.1.1.8';
const HASHES: ReadonlyMap<string, 'sha256' | 'sha384' | 'sha512'> = new Map([
  ['2.16.840.1.101.3.4.2.1', 'sha256'],
  ['2.16.840.1.101.3.4.2.2', 'sha384'],
  ['2.16.840.1.101.3.4.2.3', 'sha512'],
]);

/** What an RSASSA-PSS signature is verified with. */
export interface PssParameters {
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  readonly saltLength: number;
}

function hashOf(algorithm: ReturnType<typeof expectTag>, code: CasErrorCode): string | undefined {
  const [oid] = derChildren(expectTag(algorithm, 0x30, code, 'a hash algorithm'), code);
  return HASHES.get(derOid(expectTag(oid, 0x06, code, 'a hash OID'), code));
}

/**
 * Reads the RSASSA-PSS-params of an AlgorithmIdentifier (RFC 4055 §3.1). Only what a signer
 * of today uses is accepted: SHA-2 with MGF1 over the same hash and the trailer 1. The
 * defaults of the ASN.1 (SHA-1, salt 20) are refused, as is any other algorithm.
 * @throws CasError `code` naming what is not acceptable.
 */
export function pssParameters(algorithmIdentifier: Uint8Array, code: CasErrorCode): PssParameters {
  const [oid, params] = derChildren(
    expectTag(readDerExact(algorithmIdentifier, code), 0x30, code, 'an algorithm identifier'),
    code,
  );
  const algorithm = derOid(expectTag(oid, 0x06, code, 'an algorithm OID'), code);
  if (algorithm !== OID_RSASSA_PSS) {
    throw new CasError(code, `The signature algorithm is ${algorithm}, expected RSASSA-PSS.`);
  }
  let hash: string | undefined;
  let mgf: string | undefined;
  let mgfHash: string | undefined;
  let saltLength: number | undefined;
  for (const field of derChildren(expectTag(params, 0x30, code, 'RSASSA-PSS parameters'), code)) {
    const [inner] = derChildren(field, code);
    if (inner === undefined) throw new CasError(code, 'An RSASSA-PSS parameter is empty.');
    if (field.tag === 0xa0) hash = hashOf(inner, code) ?? 'unsupported';
    else if (field.tag === 0xa1) {
      const [mgfOid, mgfParams] = derChildren(expectTag(inner, 0x30, code, 'an MGF'), code);
      mgf = derOid(expectTag(mgfOid, 0x06, code, 'an MGF OID'), code);
      mgfHash = mgfParams === undefined ? undefined : hashOf(mgfParams, code);
    } else if (field.tag === 0xa2) saltLength = derSmallInt(inner, code);
    else if (field.tag === 0xa3) {
      if (derSmallInt(inner, code) !== 1) throw new CasError(code, 'RSASSA-PSS trailer is not 1.');
    } else throw new CasError(code, 'RSASSA-PSS parameters have an unknown field.');
  }
  if (hash === undefined || hash === 'unsupported' || mgf !== OID_MGF1 || mgfHash !== hash) {
    throw new CasError(
      code,
      'RSASSA-PSS parameters must name SHA-256, SHA-384 or SHA-512 with MGF1 over the same hash.',
    );
  }
  if (saltLength === undefined) {
    throw new CasError(code, 'RSASSA-PSS parameters must give the salt length.');
  }
  return { hash: hash as PssParameters['hash'], saltLength };
}

/** Verifies an RSASSA-PSS signature over `message`; false on any failure, never a throw. */
export function verifyPss(
  message: Uint8Array,
  signature: Uint8Array,
  key: KeyObject,
  parameters: PssParameters,
): boolean {
  try {
    return verify(
      parameters.hash,
      message,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: parameters.saltLength },
      signature,
    );
  } catch {
    // A key the algorithm cannot use (EC, too short) is a failed verification.
    return false;
  }
}
