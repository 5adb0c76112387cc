import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { IntelCollateral } from '../attestation/intel/collateral.js';
import type { DcapCollateralKey } from '../attestation/intel/collateral-key.js';
import { parseCrl, type Crl } from '../attestation/intel/crl.js';
import { readDer } from '../encoding/der-reader.js';
import { fromPem, toPem } from '../encoding/pem.js';
import { verifyRawP256 } from '../attestation/intel/signed-json.js';
import {
  commonName,
  parseCertificate,
  pemCertificates,
  type Certificate,
} from '../attestation/intel/x509.js';
import { CollateralFileCache } from './collateral-file-cache.js';

/**
 * The exact text of a top-level member's value in a JSON document (`{"tcbInfo":{...},
 * "signature":"..."}` as Intel PCS returns it): the signature covers those bytes, so they are
 * cut out of the text rather than re-serialised. Returns undefined when the text is not such a
 * document or the cut does not parse to the same value.
 */
export function signedMember(
  text: string,
  key: string,
): { body: string; signature: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  const signature = record['signature'];
  if (typeof signature !== 'string' || typeof record[key] !== 'object') return undefined;
  const at = /^\s*\{\s*/.exec(text)?.[0].length ?? -1;
  const head = `"${key}"`;
  if (at < 0 || !text.startsWith(head, at)) return undefined;
  let start = at + head.length;
  while (/\s/.test(text[start] ?? '')) start++;
  if (text[start] !== ':') return undefined;
  start++;
  while (/\s/.test(text[start] ?? '')) start++;
  const end = objectEnd(text, start);
  if (end === undefined) return undefined;
  const body = text.slice(start, end);
  try {
    if (JSON.stringify(JSON.parse(body)) !== JSON.stringify(record[key])) return undefined;
  } catch {
    return undefined;
  }
  return { body, signature };
}

/** The index just past the JSON object that starts at `start`, strings and escapes respected. */
function objectEnd(text: string, start: number): number | undefined {
  if (text[start] !== '{') return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}

interface Signed {
  readonly body: Uint8Array;
  readonly signature: Uint8Array;
  readonly json: Record<string, unknown>;
}

interface PcsFiles {
  readonly tcbInfos: Signed[];
  readonly qeIdentities: Signed[];
  readonly crls: { readonly der: Uint8Array; readonly crl: Crl; readonly issuerCn: string }[];
  readonly certs: Certificate[];
}

async function readPcsFiles(dir: string, cache: CollateralFileCache): Promise<PcsFiles> {
  const files: PcsFiles = { tcbInfos: [], qeIdentities: [], crls: [], certs: [] };
  for (const name of (await readdir(dir)).sort()) {
    let found: PcsFiles;
    try {
      found = await cache.read('pcs', join(dir, name), pcsFile);
    } catch {
      continue;
    }
    files.tcbInfos.push(...found.tcbInfos);
    files.qeIdentities.push(...found.qeIdentities);
    files.crls.push(...found.crls);
    files.certs.push(...found.certs);
  }
  return files;
}

/** What one file holds of raw PCS responses (nothing when it is something else). */
function pcsFile(bytes: Buffer): PcsFiles {
  const files: PcsFiles = { tcbInfos: [], qeIdentities: [], crls: [], certs: [] };
  const text = bytes.toString('utf8');
  for (const [key, list] of [
    ['tcbInfo', files.tcbInfos],
    ['enclaveIdentity', files.qeIdentities],
  ] as const) {
    const member = signedMember(text, key);
    if (member !== undefined && /^[0-9a-fA-F]{128}$/.test(member.signature)) {
      list.push({
        body: new Uint8Array(Buffer.from(member.body, 'utf8')),
        signature: new Uint8Array(Buffer.from(member.signature, 'hex')),
        json: JSON.parse(member.body) as Record<string, unknown>,
      });
    }
  }
  for (const der of derItems(bytes, text)) {
    try {
      const crl = parseCrl(der);
      const issuerCn = commonName(
        readDer(crl.issuerDer, 0, 'CAS_ATTESTATION_CRL_INVALID'),
        'CAS_ATTESTATION_CRL_INVALID',
      );
      files.crls.push({ der, crl, issuerCn });
      continue;
    } catch {
      // not a CRL
    }
    try {
      files.certs.push(parseCertificate(der, 'CAS_ATTESTATION_COLLATERAL_MALFORMED'));
    } catch {
      // neither: ignored
    }
  }
  return files;
}

/** DER items of a file: the file itself, each PEM block (certificate or CRL), or hex text. */
function derItems(bytes: Buffer, text: string): Uint8Array[] {
  if (text.includes('-----BEGIN')) {
    const out: Uint8Array[] = [];
    try {
      out.push(...pemCertificates(text, 'CAS_ATTESTATION_COLLATERAL_MALFORMED'));
    } catch {
      // a damaged block: skip the file's certificates
    }
    out.push(...fromPem(text, 'X509 CRL'));
    return out;
  }
  const compact = text.trim();
  if (/^(?:[0-9a-fA-F]{2})+$/.test(compact)) return [new Uint8Array(Buffer.from(compact, 'hex'))];
  return bytes[0] === 0x30 ? [new Uint8Array(bytes)] : [];
}

function newest<T>(items: readonly T[], rank: (item: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || rank(item) > rank(best)) best = item;
  return best;
}

/**
 * Assembles collateral from raw Intel PCS (or PCCS) responses saved in a directory: TCB info
 * and QE identity JSON (`{"tcbInfo"|"enclaveIdentity": ..., "signature": ...}`), the PCK and
 * root CA CRLs (DER, PEM or hex) and the TCB signing certificate (DER or PEM, alone or in its
 * issuer chain). Nothing is trusted here: the verifier checks every piece; the signer picked is
 * the TCB signing certificate whose key verifies the TCB info. Undefined when a piece is
 * missing. `cache` keeps each file's pieces until the file changes.
 */
export async function collateralFromPcsFiles(
  dir: string,
  key: DcapCollateralKey,
  cache = new CollateralFileCache(),
): Promise<IntelCollateral | undefined> {
  const files = await readPcsFiles(dir, cache);
  const tcbInfo = newest(
    files.tcbInfos.filter(
      (s) =>
        s.json['id'] === (key.tee === 'sgx' ? 'SGX' : 'TDX') &&
        String(s.json['fmspc']).toLowerCase() === key.fmspc,
    ),
    (s) => Number(s.json['tcbEvaluationDataNumber']),
  );
  const qeIdentity = newest(
    files.qeIdentities.filter((s) => s.json['id'] === (key.tee === 'sgx' ? 'QE' : 'TD_QE')),
    (s) => Number(s.json['tcbEvaluationDataNumber']),
  );
  const caName =
    key.pckCa === 'processor' ? 'Intel SGX PCK Processor CA' : 'Intel SGX PCK Platform CA';
  const pckCrl = newest(
    files.crls.filter((c) => c.issuerCn === caName),
    (c) => c.crl.thisUpdate.getTime(),
  );
  const rootCrl = newest(
    files.crls.filter((c) => c.issuerCn === 'Intel SGX Root CA'),
    (c) => c.crl.thisUpdate.getTime(),
  );
  if (!tcbInfo || !qeIdentity || !pckCrl || !rootCrl) return undefined;
  const signers = files.certs.filter((c) => c.subjectCn === 'Intel SGX TCB Signing');
  const signerFor = (s: Signed) =>
    signers.find((c) => verifyRawP256(s.body, s.signature, c.publicKey)) ?? signers[0];
  const tcbSigner = signerFor(tcbInfo);
  const qeSigner = signerFor(qeIdentity);
  if (!tcbSigner || !qeSigner) return undefined;
  return {
    rootCaCrl: rootCrl.der,
    pckCrl: pckCrl.der,
    tcbInfoIssuerChain: toPem('CERTIFICATE', tcbSigner.der),
    tcbInfo: tcbInfo.body,
    tcbInfoSignature: tcbInfo.signature,
    qeIdentityIssuerChain: toPem('CERTIFICATE', qeSigner.der),
    qeIdentity: qeIdentity.body,
    qeIdentitySignature: qeIdentity.signature,
  };
}
