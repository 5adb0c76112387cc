import { oid } from './der.js';

/** The encoded OIDs of the key algorithms the CAS writes into SPKI and PKCS#8 structures. */
export const EC_PUBLIC_KEY = oid('1.2.840.10045.2.1');
export const P256 = oid('1.2.840.10045.3.1.7');
export const P384 = oid('1.3.132.0.34');
export const ED25519 = oid('1.3.101.112');
export const RSA_ENCRYPTION = oid('1.2.840.113549.1.1.1');
