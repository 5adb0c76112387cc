import { CasError } from '../../errors/cas-error.js';
import type { Claims, Verifier, VerifyRequest } from '../verifier.js';
import type { IntelCollateral } from './collateral.js';
import { checkReportData, hex, verifyDcapQuote } from './dcap-quote-verify.js';

/** ATTRIBUTES.DEBUG: bit 1 of the first attributes byte. */
const SGX_DEBUG = 0x02;

/**
 * The `sgx-dcap` verifier: an Intel SGX ECDSA quote (v3, v4, v5 with an SGX body) with its DCAP
 * collateral, checked at the request's clock. Debug enclaves are refused unless `allowDebug`.
 */
export const sgxDcapVerifier: Verifier<IntelCollateral> = {
  type: 'sgx-dcap',
  verify(request: VerifyRequest<IntelCollateral>): Promise<Claims> {
    return Promise.resolve().then(() => verifySgx(request));
  },
};

function verifySgx(request: VerifyRequest<IntelCollateral>): Claims {
  const result = verifyDcapQuote(request.evidence, request.collateral, request.now, 'sgx');
  if (result.quote.body.kind !== 'sgx')
    throw new CasError('CAS_ATTESTATION_EVIDENCE_UNSUPPORTED', 'The quote has no SGX report body.');
  const report = result.quote.body.report;
  const debug = ((report.attributes[0] ?? 0) & SGX_DEBUG) !== 0;
  const measurements = { mrenclave: hex(report.mrEnclave), mrsigner: hex(report.mrSigner) };
  if (debug && request.allowDebug !== true) {
    throw new CasError(
      'CAS_ATTESTATION_DEBUG_REFUSED',
      'The quote comes from a debug enclave (ATTRIBUTES.DEBUG is set).',
      { details: { ...measurements, debug } },
    );
  }
  checkReportData(report.reportData, request.expectedReportData);
  return {
    type: 'sgx-dcap',
    report_data: hex(report.reportData),
    measurements,
    tcb_status: result.status,
    advisory_ids: result.advisoryIds,
    debug,
    extra: {
      isvprodid: report.isvProdId,
      isvsvn: report.isvSvn,
      attributes: hex(report.attributes),
      miscselect: report.miscSelect,
      cpusvn: hex(report.cpuSvn),
      fmspc: result.pck.fmspc,
      pce_id: result.pck.pceId,
      quote_version: result.quote.version,
      platform_tcb_status: result.platform.status,
      qe_tcb_status: result.qe.status,
      tcb_date: result.platform.tcbDate,
      tcb_evaluation_data_number: result.tcbEvaluationDataNumber,
    },
  };
}
