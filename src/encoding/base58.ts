import { createHash } from 'node:crypto';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const INDEX = new Map([...ALPHABET].map((c, i) => [c, i]));

/** Base58 (Bitcoin alphabet) of arbitrary bytes; leading zero bytes become leading `1`s. */
export function base58Encode(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)]! + out;
    n /= 58n;
  }
  return '1'.repeat(zeros) + out;
}

/** Inverse of {@link base58Encode}; returns null for a character outside the alphabet. */
export function base58Decode(text: string): Uint8Array | null {
  let zeros = 0;
  while (zeros < text.length && text[zeros] === '1') zeros++;
  let n = 0n;
  for (const c of text) {
    const v = INDEX.get(c);
    if (v === undefined) return null;
    n = n * 58n + BigInt(v);
  }
  const body: number[] = [];
  while (n > 0n) {
    body.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  return Uint8Array.from([...new Array<number>(zeros).fill(0), ...body]);
}

function checksum(data: Uint8Array): Buffer {
  const once = createHash('sha256').update(data).digest();
  return createHash('sha256').update(once).digest().subarray(0, 4);
}

/** Base58Check: version byte, payload, first 4 bytes of SHA-256(SHA-256(version ‖ payload)). */
export function base58CheckEncode(version: number, payload: Uint8Array): string {
  const body = Buffer.concat([Buffer.from([version]), payload]);
  return base58Encode(Buffer.concat([body, checksum(body)]));
}

/** Decodes Base58Check; null when the text is not Base58 or the checksum does not match. */
export function base58CheckDecode(text: string): { version: number; payload: Uint8Array } | null {
  const raw = base58Decode(text);
  if (raw === null || raw.length < 5) return null;
  const body = raw.subarray(0, raw.length - 4);
  if (!Buffer.from(raw.subarray(raw.length - 4)).equals(checksum(body))) return null;
  return { version: body[0]!, payload: body.subarray(1) };
}
