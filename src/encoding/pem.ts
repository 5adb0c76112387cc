/**
 * PEM (RFC 7468) both ways, for the labels this CAS writes and reads besides certificate
 * chains: base64 in lines of 64 characters between `-----BEGIN <label>-----` and
 * `-----END <label>-----`, the text node and OpenSSL write.
 */

/** The PEM text of `der` under `label` (`CERTIFICATE`, `PRIVATE KEY`, `X509 CRL`). */
export function toPem(label: string, der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * The DER bytes of every `label` block of `text`, in order; other blocks and text between them
 * are ignored, whitespace inside a block too. A block with other characters is not a block.
 */
export function fromPem(text: string, label: string): Uint8Array[] {
  const re = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`, 'g');
  return [...text.matchAll(re)].map(
    (m) => new Uint8Array(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64')),
  );
}
