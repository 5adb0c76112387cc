/**
 * The AMD-specific extensions of a VCEK/VLEK certificate (OID arc 1.3.6.1.4.1.3704.1): the TCB
 * the key was derived for, the chip it belongs to (VCEK) and the product name.
 */
import { CasError } from '../../errors/cas-error.js';
import { derContent, derSmallInt, readDerExact, type DerNode } from '../../encoding/der-reader.js';
import type { ParsedCertificate } from '../pki/certificate.js';
import type { SnpTcb } from './snp-tcb.js';

const AMD_ARC = '1.3.6.1.4.1.3704.1';
const OID_PRODUCT_NAME = `${AMD_ARC}.2`;
const OID_HWID = `${AMD_ARC}.4`;
const OID_BL_SPL = `${AMD_ARC}.3.1`;
const OID_TEE_SPL = `${AMD_ARC}.3.2`;
const OID_SNP_SPL = `${AMD_ARC}.3.3`;
const OID_UCODE_SPL = `${AMD_ARC}.3.8`;
const OID_FMC_SPL = `${AMD_ARC}.3.9`;

/** What the verifier needs from the extensions. */
export interface VcekExtensions {
  readonly tcb: SnpTcb;
  /** The chip id the VCEK was issued for; null for VLEKs, which have none. */
  readonly hwid: Uint8Array | null;
  readonly productName: string | null;
}

function malformed(certificate: ParsedCertificate, what: string): CasError {
  return new CasError(
    'CAS_ATTESTATION_COLLATERAL_MALFORMED',
    `The ${certificate.label} certificate has a missing or malformed ${what} extension.`,
    { details: { certificate: certificate.label, extension: what } },
  );
}

/** The extension value as exactly one element of `tag`, or null when it is not. */
function elementOf(value: Uint8Array, tag: number): DerNode | null {
  try {
    const element = readDerExact(value, 'CAS_ATTESTATION_COLLATERAL_MALFORMED');
    return element.tag === tag ? element : null;
  } catch {
    return null;
  }
}

function splOf(certificate: ParsedCertificate, oid: string, name: string): number | undefined {
  const value = certificate.extensions.get(oid);
  if (value === undefined) return undefined;
  const element = elementOf(value, 0x02);
  let spl: number | null = null;
  try {
    spl = element === null ? null : derSmallInt(element, 'CAS_ATTESTATION_COLLATERAL_MALFORMED');
  } catch {
    // out of range: reported below with the extension's name
  }
  if (spl === null || spl > 0xff) throw malformed(certificate, name);
  return spl;
}

function requiredSpl(certificate: ParsedCertificate, oid: string, name: string): number {
  const spl = splOf(certificate, oid, name);
  if (spl === undefined) throw malformed(certificate, name);
  return spl;
}

/** The hwID is the raw chip id in the extension (some issuers wrap it in an OCTET STRING). */
function hwidOf(certificate: ParsedCertificate): Uint8Array | null {
  const value = certificate.extensions.get(OID_HWID);
  if (value === undefined) return null;
  if (value.length === 64 || value.length === 8) return value;
  const element = elementOf(value, 0x04);
  if (element !== null) {
    const inner = derContent(element);
    if (inner.length === 64 || inner.length === 8) return inner;
  }
  throw malformed(certificate, 'hwID');
}

function productNameOf(certificate: ParsedCertificate): string | null {
  const value = certificate.extensions.get(OID_PRODUCT_NAME);
  if (value === undefined) return null;
  const element = elementOf(value, 0x16);
  if (element === null) throw malformed(certificate, 'productName');
  return new TextDecoder().decode(derContent(element));
}

/** Reads the TCB, hwID and product name. @throws CasError `CAS_ATTESTATION_COLLATERAL_MALFORMED`. */
export function readVcekExtensions(certificate: ParsedCertificate): VcekExtensions {
  const fmc = splOf(certificate, OID_FMC_SPL, 'fmcSPL');
  const tcb: SnpTcb = {
    bootloader: requiredSpl(certificate, OID_BL_SPL, 'blSPL'),
    tee: requiredSpl(certificate, OID_TEE_SPL, 'teeSPL'),
    snp: requiredSpl(certificate, OID_SNP_SPL, 'snpSPL'),
    microcode: requiredSpl(certificate, OID_UCODE_SPL, 'ucodeSPL'),
    ...(fmc === undefined ? {} : { fmc }),
  };
  return { tcb, hwid: hwidOf(certificate), productName: productNameOf(certificate) };
}
