import { CasError } from '../errors/cas-error.js';
import { bitString, explicit, octets, oid, seq, tlv, TRUE } from './der.js';
import { ipAddressBytes, IPV4 } from './ip-address.js';
import type { IssueRequest } from './issue-certificate.js';

/** What the extensions of an issued certificate depend on. */
export type ExtensionParams = Pick<IssueRequest, 'name' | 'ca' | 'san' | 'endpoint'> & {
  /** Whether the subject key is RSA (which also gets keyEncipherment). */
  readonly rsa: boolean;
  readonly keyId: Uint8Array;
  readonly authorityKeyId: Uint8Array;
};

// KeyUsage bits, numbered from the most significant bit of the first byte (RFC 5280 §4.2.1.3).
const DIGITAL_SIGNATURE = 0;
const KEY_ENCIPHERMENT = 2;
const KEY_CERT_SIGN = 5;
const CRL_SIGN = 6;

const SERVER_AUTH = oid('1.3.6.1.5.5.7.3.1');
const CLIENT_AUTH = oid('1.3.6.1.5.5.7.3.2');
const BASIC_CONSTRAINTS = oid('2.5.29.19');
const KEY_USAGE = oid('2.5.29.15');
const SUBJECT_KEY_ID = oid('2.5.29.14');
const AUTHORITY_KEY_ID = oid('2.5.29.35');
const EXT_KEY_USAGE = oid('2.5.29.37');
const SUBJECT_ALT_NAME = oid('2.5.29.17');

/**
 * The `[3]` extensions of a certificate, in this order: BasicConstraints (critical; CA:TRUE, or
 * CA:FALSE as an empty SEQUENCE), KeyUsage (critical; keyCertSign, cRLSign and
 * digitalSignature for a CA, digitalSignature (+ keyEncipherment for RSA) otherwise), subject
 * and authority key identifiers, then for end entities an extended key usage by `endpoint`
 * (serverAuth, clientAuth, or both), and a subject alternative name when there are entries.
 *
 * @throws CAS_SECRETS_INVALID_PARAMS for a SAN entry that is neither `dns:` nor `ip:`, or an
 *   `ip:` address that does not parse.
 */
export function certificateExtensions(p: ExtensionParams): Buffer {
  const bits = p.ca
    ? [KEY_CERT_SIGN, CRL_SIGN, DIGITAL_SIGNATURE]
    : p.rsa
      ? [DIGITAL_SIGNATURE, KEY_ENCIPHERMENT]
      : [DIGITAL_SIGNATURE];
  const list = [
    extension(BASIC_CONSTRAINTS, true, p.ca ? seq(TRUE) : seq()),
    extension(KEY_USAGE, true, namedBits(bits)),
    extension(SUBJECT_KEY_ID, false, octets(p.keyId)),
    extension(AUTHORITY_KEY_ID, false, seq(tlv(0x80, p.authorityKeyId))),
  ];
  if (!p.ca) {
    const eku =
      p.endpoint === 'server'
        ? [SERVER_AUTH]
        : p.endpoint === 'client'
          ? [CLIENT_AUTH]
          : [SERVER_AUTH, CLIENT_AUTH];
    list.push(extension(EXT_KEY_USAGE, false, seq(...eku)));
  }
  if (p.san.length > 0)
    list.push(extension(SUBJECT_ALT_NAME, false, subjectAltName(p.name, p.san)));
  return explicit(3, seq(...list));
}

function extension(id: Buffer, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(id, TRUE, octets(value)) : seq(id, octets(value));
}

/** A named BIT STRING: trailing zero bits are dropped, as DER requires. */
function namedBits(set: readonly number[]): Buffer {
  const length = Math.max(...set) + 1;
  const bytes = Buffer.alloc(Math.ceil(length / 8));
  for (const b of set) bytes[b >> 3]! |= 0x80 >> (b & 7);
  return bitString(bytes, bytes.length * 8 - length);
}

const IPV6 = /^[0-9a-fA-F:.]+$/;
const DNS_NAME =
  /^(?:\*\.)?[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;

function subjectAltName(secret: string, san: readonly string[]): Buffer {
  // Every entry's form is checked before any address is parsed, so the first wrong form is
  // what the error names.
  const names = san.map((e) => generalName(secret, e));
  return seq(
    ...names.map((n) => {
      if (n.type === 'dns') return tlv(0x82, Buffer.from(n.value, 'latin1'));
      const bytes = ipAddressBytes(n.value);
      if (bytes === undefined) {
        throw new CasError(
          'CAS_SECRETS_INVALID_PARAMS',
          `secret '${secret}': a SAN IP address is not a valid IPv4 or IPv6 address`,
        );
      }
      return tlv(0x87, bytes);
    }),
  );
}

function generalName(secret: string, entry: string): { type: 'dns' | 'ip'; value: string } {
  const colon = entry.indexOf(':');
  const type = entry.slice(0, colon);
  const value = entry.slice(colon + 1);
  if (type === 'dns' && DNS_NAME.test(value) && value.length <= 253) return { type: 'dns', value };
  if (type === 'ip' && (IPV4.test(value) || (value.includes(':') && IPV6.test(value)))) {
    return { type: 'ip', value };
  }
  throw new CasError(
    'CAS_SECRETS_INVALID_PARAMS',
    `secret '${secret}': SAN entry '${entry}' must be dns:<name> or ip:<address>`,
  );
}
