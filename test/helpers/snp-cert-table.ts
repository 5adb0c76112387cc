/**
 * A GHCB certificate table (what an SNP guest gets with an extended report): entries {GUID,
 * offset, length}, a zero entry, then the blobs, each followed by `pad` zero bytes. The GUIDs
 * are filler: the CAS tells the certificates apart by what they are, not by their GUID.
 */
export function snpCertificateTable(blobs: readonly Uint8Array[], pad = 0): Uint8Array {
  const header = (blobs.length + 1) * 24;
  const size = header + blobs.reduce((sum, blob) => sum + blob.length + pad, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let offset = header;
  blobs.forEach((blob, index) => {
    out.fill(index + 1, index * 24, index * 24 + 16);
    view.setUint32(index * 24 + 16, offset, true);
    view.setUint32(index * 24 + 20, blob.length + pad, true);
    out.set(blob, offset);
    offset += blob.length + pad;
  });
  return out;
}
