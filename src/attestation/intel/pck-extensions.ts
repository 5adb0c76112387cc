import { CasError } from '../../errors/cas-error.js';
import {
  derChildren,
  derContent,
  derOid,
  derSmallInt,
  expectTag,
  readDerExact,
} from '../../encoding/der-reader.js';
import type { Certificate } from './x509.js';

const SGX_EXTENSIONS = '1.2.840.113741.1.13.1';
const CODE = 'CAS_ATTESTATION_CHAIN_INVALID';

/** What the PCK certificate says about the platform (Intel SGX PCK certificate profile). */
export interface PckExtensions {
  /** Lowercase hex, 6 bytes. */
  readonly fmspc: string;
  /** Lowercase hex, 2 bytes. */
  readonly pceId: string;
  readonly pceSvn: number;
  /** The 16 SGX TCB component SVNs the PCK was issued for. */
  readonly sgxTcbComponents: readonly number[];
  readonly cpuSvn: string;
}

/** Reads the SGX extensions (OID 1.2.840.113741.1.13.1) of a PCK certificate. */
export function pckExtensions(pck: Certificate): PckExtensions {
  const value = pck.extensions.get(SGX_EXTENSIONS);
  if (value === undefined) throw new CasError(CODE, 'The PCK certificate has no SGX extensions.');
  const top = expectTag(readDerExact(value, CODE), 0x30, CODE, 'SGX extensions');
  let fmspc: string | undefined;
  let pceId: string | undefined;
  let pceSvn: number | undefined;
  let cpuSvn = '';
  const comps = new Array<number | undefined>(16).fill(undefined);
  for (const item of derChildren(top, CODE)) {
    const [oidNode, val] = derChildren(expectTag(item, 0x30, CODE, 'an SGX extension'), CODE);
    if (oidNode === undefined || val === undefined)
      throw new CasError(CODE, 'An SGX extension is incomplete.');
    const oid = derOid(oidNode, CODE);
    if (oid === `${SGX_EXTENSIONS}.4`) fmspc = octets(val, 6);
    else if (oid === `${SGX_EXTENSIONS}.3`) pceId = octets(val, 2);
    else if (oid === `${SGX_EXTENSIONS}.2`) {
      for (const tcb of derChildren(expectTag(val, 0x30, CODE, 'the TCB extension'), CODE)) {
        const [tOid, tVal] = derChildren(expectTag(tcb, 0x30, CODE, 'a TCB component'), CODE);
        if (tOid === undefined || tVal === undefined)
          throw new CasError(CODE, 'A TCB component is incomplete.');
        const arc = derOid(tOid, CODE);
        const index = Number(arc.slice(`${SGX_EXTENSIONS}.2.`.length));
        if (!arc.startsWith(`${SGX_EXTENSIONS}.2.`) || !Number.isInteger(index)) continue;
        if (index >= 1 && index <= 16) comps[index - 1] = derSmallInt(tVal, CODE);
        else if (index === 17) pceSvn = derSmallInt(tVal, CODE);
        else if (index === 18) cpuSvn = octets(tVal, 16);
      }
    }
  }
  if (
    fmspc === undefined ||
    pceId === undefined ||
    pceSvn === undefined ||
    comps.some((c) => c === undefined)
  ) {
    throw new CasError(
      CODE,
      'The PCK certificate lacks the FMSPC, PCE id or TCB in its SGX extensions.',
    );
  }
  return { fmspc, pceId, pceSvn, sgxTcbComponents: comps as number[], cpuSvn };
}

function octets(node: Parameters<typeof derContent>[0], size: number): string {
  const bytes = derContent(expectTag(node, 0x04, CODE, 'an octet string'));
  if (bytes.length !== size)
    throw new CasError(CODE, `An SGX extension field has ${bytes.length} bytes, not ${size}.`);
  return Buffer.from(bytes).toString('hex');
}
