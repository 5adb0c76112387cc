/**
 * The certificate table an SNP guest receives with an extended report (SNP_GET_EXT_REPORT, GHCB
 * spec): entries of `{ GUID[16], offset u32, length u32 }` (little-endian), ended by an
 * all-zero entry; each offset counts from the start of the table. Certificates are told apart
 * by their content (subject, self-signed), not by GUID, so an unknown or mislabelled entry
 * cannot smuggle a certificate into another role: the chain check decides.
 */
import { CasError } from '../../errors/cas-error.js';
import { readDer } from '../../encoding/der-reader.js';

const ENTRY = 24;
const MAX_ENTRIES = 32;

function malformed(message: string): CasError {
  return new CasError('CAS_ATTESTATION_EVIDENCE_MALFORMED', `SNP certificate table: ${message}`);
}

/** Where the DER element a blob starts with ends; the whole blob when it starts with none. */
function certificateEnd(blob: Uint8Array): number {
  try {
    return readDer(blob, 0, 'CAS_ATTESTATION_EVIDENCE_MALFORMED').end;
  } catch {
    // not DER: left whole for the certificate parser to refuse with its own message
    return blob.length;
  }
}

/**
 * The certificates (DER blobs) of a certificate table.
 * @throws CasError `CAS_ATTESTATION_EVIDENCE_MALFORMED` when an entry runs past the table or the
 *   terminator is missing.
 */
export function parseSnpCertificateTable(table: Uint8Array): Uint8Array[] {
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const blobs: Uint8Array[] = [];
  for (let index = 0; ; index += 1) {
    const at = index * ENTRY;
    if (index > MAX_ENTRIES || at + ENTRY > table.length) throw malformed('no terminating entry');
    const entry = table.subarray(at, at + ENTRY);
    if (entry.every((byte) => byte === 0)) break;
    const offset = view.getUint32(at + 16, true);
    const length = view.getUint32(at + 20, true);
    if (length === 0 || offset < at + ENTRY || offset + length > table.length) {
      throw malformed(`entry ${index} (offset ${offset}, length ${length}) does not fit the table`);
    }
    const blob = table.subarray(offset, offset + length);
    // Hosts may pad each blob; a DER certificate is its outer element, so cut there.
    blobs.push(blob.slice(0, certificateEnd(blob)));
  }
  if (blobs.length === 0) throw malformed('no certificate');
  return blobs;
}
