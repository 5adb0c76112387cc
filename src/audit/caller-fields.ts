import { X509Certificate } from 'node:crypto';
import type { Caller } from '../core/caller.js';

/**
 * The audit subject of a client-API caller: its key hash in clear, its address and its
 * certificate's subject name raw (the audit log HMACs both before writing them).
 */
export function callerFields(caller: Caller): {
  caller: string;
  address?: string;
  subject?: string;
} {
  let subject = caller.subject;
  if (subject === undefined) {
    try {
      subject = new X509Certificate(caller.certPem).subject;
    } catch {
      subject = undefined;
    }
  }
  return {
    caller: caller.keyHash,
    ...(caller.address === undefined ? {} : { address: caller.address }),
    ...(subject === undefined || subject === '' ? {} : { subject }),
  };
}
