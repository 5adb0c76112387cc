import { CasError } from '../../errors/cas-error.js';
import type { Claims, Verifier, VerifyRequest } from '../verifier.js';
import type { IntelCollateral } from './collateral.js';
import { checkReportData, hex, verifyDcapQuote } from './dcap-quote-verify.js';

/** TD_ATTRIBUTES (u64, little-endian): bit 0 TUD.DEBUG, bit 28 SEPT_VE_DISABLE. */
const TD_DEBUG_BYTE = 0;
const TD_DEBUG_BIT = 0x01;
const SEPT_VE_DISABLE_BYTE = 3;
const SEPT_VE_DISABLE_BIT = 0x10;

/** Options of the TDX verifier. */
export interface TdxVerifierOptions {
  /**
   * Require SEPT_VE_DISABLE (default true): without it the VMM can inject #VE on EPT
   * violations into the TD, which a TD without a hardened #VE handler cannot survive safely.
   */
  readonly requireSeptVeDisable?: boolean;
}

/** Makes a `tdx` verifier: a TDX quote v4 or v5 (TD 1.0 or TD 1.5 body) with DCAP collateral. */
export function makeTdxVerifier(options: TdxVerifierOptions = {}): Verifier<IntelCollateral> {
  const requireSept = options.requireSeptVeDisable ?? true;
  return {
    type: 'tdx',
    verify(request: VerifyRequest<IntelCollateral>): Promise<Claims> {
      return Promise.resolve().then(() => verifyTdx(request, requireSept));
    },
  };
}

/** The default `tdx` verifier (SEPT_VE_DISABLE required). */
export const tdxVerifier = makeTdxVerifier();

/**
 * Reads TD_ATTRIBUTES and applies the TD policy: a debug TD is refused unless allowed, and
 * SEPT_VE_DISABLE is required unless the caller opted out.
 */
export function checkTdAttributes(
  tdAttributes: Uint8Array,
  policy: { readonly allowDebug: boolean; readonly requireSeptVeDisable: boolean },
): { debug: boolean; septVeDisable: boolean } {
  const debug = ((tdAttributes[TD_DEBUG_BYTE] ?? 0) & TD_DEBUG_BIT) !== 0;
  const septVeDisable = ((tdAttributes[SEPT_VE_DISABLE_BYTE] ?? 0) & SEPT_VE_DISABLE_BIT) !== 0;
  if (debug && !policy.allowDebug) {
    throw new CasError(
      'CAS_ATTESTATION_DEBUG_REFUSED',
      'The quote comes from a debug TD (TD_ATTRIBUTES.DEBUG is set).',
      {
        details: { td_attributes: hex(tdAttributes) },
      },
    );
  }
  if (policy.requireSeptVeDisable && !septVeDisable) {
    throw new CasError(
      'CAS_ATTESTATION_SEPT_VE_NOT_DISABLED',
      'The TD does not set SEPT_VE_DISABLE.',
      {
        details: { td_attributes: hex(tdAttributes) },
      },
    );
  }
  return { debug, septVeDisable };
}

function verifyTdx(request: VerifyRequest<IntelCollateral>, requireSept: boolean): Claims {
  const result = verifyDcapQuote(request.evidence, request.collateral, request.now, 'tdx');
  if (result.quote.body.kind !== 'td')
    throw new CasError('CAS_ATTESTATION_EVIDENCE_UNSUPPORTED', 'The quote has no TD report body.');
  const td = result.quote.body.report;
  const measurements = {
    mrtd: hex(td.mrTd),
    rtmr0: hex(td.rtmrs[0]),
    rtmr1: hex(td.rtmrs[1]),
    rtmr2: hex(td.rtmrs[2]),
    rtmr3: hex(td.rtmrs[3]),
    mrconfigid: hex(td.mrConfigId),
    mrowner: hex(td.mrOwner),
    mrownerconfig: hex(td.mrOwnerConfig),
  };
  const { debug, septVeDisable } = checkTdAttributes(td.tdAttributes, {
    allowDebug: request.allowDebug === true,
    requireSeptVeDisable: requireSept,
  });
  checkReportData(td.reportData, request.expectedReportData);
  return {
    type: 'tdx',
    report_data: hex(td.reportData),
    measurements,
    tcb_status: result.status,
    advisory_ids: result.advisoryIds,
    debug,
    extra: {
      td_attributes: hex(td.tdAttributes),
      sept_ve_disable: septVeDisable,
      xfam: hex(td.xfam),
      mrseam: hex(td.mrSeam),
      mrsignerseam: hex(td.mrSignerSeam),
      tee_tcb_svn: hex(td.teeTcbSvn),
      ...(td.teeTcbSvn2 ? { tee_tcb_svn2: hex(td.teeTcbSvn2) } : {}),
      ...(td.mrServiceTd ? { mrservicetd: hex(td.mrServiceTd) } : {}),
      fmspc: result.pck.fmspc,
      pce_id: result.pck.pceId,
      quote_version: result.quote.version,
      platform_tcb_status: result.platform.status,
      qe_tcb_status: result.qe.status,
      ...(result.tdxModule
        ? {
            tdx_module_id: result.tdxModule.id,
            tdx_module_tcb_status: result.tdxModule.level?.status ?? 'UpToDate',
          }
        : {}),
      ...(result.current
        ? {
            current_platform_tcb_status: result.current.platform.status,
            current_tdx_module_tcb_status: result.current.module.level?.status ?? 'UpToDate',
          }
        : {}),
      tcb_date: result.platform.tcbDate,
      tcb_evaluation_data_number: result.tcbEvaluationDataNumber,
    },
  };
}
