import { timingSafeEqual } from 'node:crypto';
import { keyHashOfSpki } from '../../crypto/key-hash.js';
import { CasError } from '../../errors/cas-error.js';
import type { Claims, Verifier, VerifyRequest } from '../verifier.js';
import { openSimReport } from './sim-report.js';

/**
 * Verifier of `sim` evidence. It checks the format, the signature by the platform key embedded
 * in the report and, when asked, the binding; it does not decide whether the platform is
 * trusted: the claims carry `extra.platform_id` (the key hash of the platform key) for the
 * session's `platforms:` list. The verification time is irrelevant (no certificates).
 */
export const simVerifier: Verifier<undefined> = {
  type: 'sim',
  verify(request: VerifyRequest<undefined>): Promise<Claims> {
    try {
      return Promise.resolve(verifySimSync(request));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  },
};

function verifySimSync(request: VerifyRequest<undefined>): Claims {
  const { body } = openSimReport(request.evidence);
  const reportData = Buffer.from(body.report_data, 'hex');
  if (request.expectedReportData !== undefined) {
    const expected = Buffer.from(request.expectedReportData);
    if (expected.length !== reportData.length || !timingSafeEqual(expected, reportData)) {
      throw new CasError(
        'CAS_ATTESTATION_REPORT_DATA_MISMATCH',
        'sim report: the report data is not bound to this connection, key and nonce',
        { details: { report_data: body.report_data } },
      );
    }
  }
  return {
    type: 'sim',
    report_data: body.report_data,
    measurements: { mrenclave: body.measurement },
    tcb_status: 'NotApplicable',
    advisory_ids: [],
    debug: false,
    extra: { platform_id: keyHashOfSpki(Buffer.from(body.platform_key, 'base64')) },
  };
}
