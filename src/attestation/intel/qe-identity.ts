import { z } from 'zod';
import { CasError } from '../../errors/cas-error.js';
import type { SgxReport } from './quote.js';
import { header, hexOf, isoTime, isvSvnLevel, parseWith } from './signed-json.js';
import { maskedEqual } from './tcb-info.js';
import { noMatch, refuseRevoked, type MatchedLevel } from './tcb-status.js';

const qeIdentitySchema = z.object({
  id: z.enum(['QE', 'TD_QE']),
  version: z.literal(2),
  issueDate: isoTime,
  nextUpdate: isoTime,
  tcbEvaluationDataNumber: z.number().int().min(0),
  miscselect: hexOf(8),
  miscselectMask: hexOf(8),
  attributes: hexOf(32),
  attributesMask: hexOf(32),
  mrsigner: hexOf(64),
  isvprodid: z.number().int().min(0).max(0xffff),
  tcbLevels: z.array(isvSvnLevel).min(1),
});

/** Intel enclave identity v2 of a quoting enclave, after its signature was verified. */
export type QeIdentity = z.infer<typeof qeIdentitySchema>;

/** Parses QE identity JSON: `QE` for SGX quotes, `TD_QE` for TDX quotes, version 2. */
export function parseQeIdentity(json: unknown, tee: 'sgx' | 'tdx'): QeIdentity {
  const head = parseWith(header, json, 'QE identity');
  const wanted = tee === 'sgx' ? 'QE' : 'TD_QE';
  if (head.id !== wanted || head.version !== 2) {
    throw new CasError(
      'CAS_ATTESTATION_COLLATERAL_MISMATCH',
      `The QE identity is ${head.id ?? '?'} version ${head.version ?? '?'}; a ${tee.toUpperCase()} quote needs ${wanted} version 2.`,
      {
        details: { id: head.id, version: head.version },
      },
    );
  }
  return parseWith(qeIdentitySchema, json, 'QE identity');
}

/** Checks the QE report against the identity and returns the QE's TCB level. */
export function matchQeIdentity(identity: QeIdentity, qe: SgxReport): MatchedLevel {
  // MISCSELECT is a u32 (little-endian in the report); Intel writes value and mask as its hex
  const mask = parseInt(identity.miscselectMask, 16);
  const miscOk = (qe.miscSelect & mask) >>> 0 === (parseInt(identity.miscselect, 16) & mask) >>> 0;
  const mismatches: string[] = [];
  if (Buffer.from(qe.mrSigner).toString('hex') !== identity.mrsigner.toLowerCase())
    mismatches.push('mrsigner');
  if (qe.isvProdId !== identity.isvprodid) mismatches.push('isvprodid');
  if (!maskedEqual(qe.attributes, identity.attributes, identity.attributesMask))
    mismatches.push('attributes');
  if (!miscOk) mismatches.push('miscselect');
  if (mismatches.length > 0) {
    throw new CasError(
      'CAS_ATTESTATION_QE_IDENTITY_MISMATCH',
      `The quoting enclave does not match the ${identity.id} identity (${mismatches.join(', ')}).`,
      {
        details: {
          fields: mismatches,
          mrsigner: Buffer.from(qe.mrSigner).toString('hex'),
          isvprodid: qe.isvProdId,
        },
      },
    );
  }
  const level = identity.tcbLevels.find((l) => l.tcb.isvsvn <= qe.isvSvn);
  if (level === undefined) return noMatch('QE identity', { isvsvn: qe.isvSvn });
  return refuseRevoked(
    { status: level.tcbStatus, advisoryIds: level.advisoryIDs ?? [], tcbDate: level.tcbDate },
    'QE',
  );
}
