import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { CasError } from '../../errors/cas-error.js';
import { checkWindow } from './window.js';

/**
 * Verifies the raw r‖s ECDSA P-256/SHA-256 signature over the exact bytes as they came. The
 * signature covers the bytes, not a JSON value: re-serialised JSON would change them.
 */
export function verifySignedBytes(
  bytes: Uint8Array,
  signature: Uint8Array,
  signer: KeyObject,
  what: string,
): void {
  const ok = verifyRawP256(bytes, signature, signer);
  if (!ok) {
    throw new CasError(
      'CAS_ATTESTATION_COLLATERAL_SIGNATURE_INVALID',
      `The ${what} signature does not verify with the Intel SGX TCB Signing certificate.`,
      {
        details: { item: what },
      },
    );
  }
}

/** Parses UTF-8 JSON text of a signed collateral item (after its signature was verified). */
export function parseJsonBytes(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch (cause) {
    throw new CasError('CAS_ATTESTATION_COLLATERAL_MALFORMED', `The ${what} is not valid JSON.`, {
      cause,
    });
  }
}

/** Validates a value against a schema; failures are malformed collateral. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new CasError(
      'CAS_ATTESTATION_COLLATERAL_MALFORMED',
      `The ${what} does not have the expected fields (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}).`,
    );
  }
  return result.data;
}

/** Checks the issueDate/nextUpdate window of a signed collateral item. */
export function checkIssueWindow(
  issueDate: string,
  nextUpdate: string,
  now: Date,
  what: string,
): void {
  checkWindow(new Date(issueDate), new Date(nextUpdate), now, what, 'collateral');
}

/** Imports a raw P-256 public key (x‖y, 64 bytes); a point off the curve is a signature failure. */
export function rawP256Key(xy: Uint8Array, what: string): KeyObject {
  try {
    if (xy.length !== 64) throw new Error('length');
    return createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: Buffer.from(xy.subarray(0, 32)).toString('base64url'),
        y: Buffer.from(xy.subarray(32)).toString('base64url'),
      },
      format: 'jwk',
    });
  } catch (cause) {
    throw new CasError(
      'CAS_ATTESTATION_SIGNATURE_INVALID',
      `The ${what} is not a valid P-256 public key.`,
      { cause },
    );
  }
}

/** Verifies a raw r‖s ECDSA P-256/SHA-256 signature; false on any failure. */
export function verifyRawP256(data: Uint8Array, signature: Uint8Array, key: KeyObject): boolean {
  try {
    return (
      signature.length === 64 &&
      verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
    );
  } catch {
    return false;
  }
}

/** Shared zod pieces of Intel's TCB info and QE identity JSON. */
export const hexOf = (chars: number) => z.string().regex(new RegExp(`^[0-9a-fA-F]{${chars}}$`));
export const isoTime = z
  .string()
  .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)
  .refine((s) => Number.isFinite(Date.parse(s)));
export const svn = z.number().int().min(0).max(0xffff);
export const intelTcbStatus = z.enum([
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
  'Revoked',
]);
export const isvSvnLevel = z.object({
  tcb: z.object({ isvsvn: svn }),
  tcbDate: isoTime,
  tcbStatus: intelTcbStatus,
  advisoryIDs: z.array(z.string()).optional(),
});
/** The id/version header, read before the full schema so a wrong kind gets its own code. */
export const header = z.object({ id: z.string().optional(), version: z.number().optional() });
