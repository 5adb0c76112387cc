/** Dotted-quad IPv4 text, each part 0 to 255 without leading zeros. */
export const IPV4 =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * The bytes of an IP address as an X.509 iPAddress carries them: 4 for dotted IPv4 (no leading
 * zeros, each part up to 255), 16 for IPv6 in RFC 4291 text form (groups of 1 to 4 hex digits,
 * at most one `::`, optionally ending in a dotted IPv4 address). Undefined for anything else,
 * including zone indices and CIDR prefixes.
 */
export function ipAddressBytes(text: string): Buffer | undefined {
  if (IPV4.test(text)) return Buffer.from(text.split('.').map(Number));
  if (!text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = groups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1]!, true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const words = halves.length === 2 ? head.length + tail.length : head.length;
  // `::` stands for at least one zero group, so with it at most 7 explicit groups remain.
  if (halves.length === 2 ? words > 7 : words !== 8) return undefined;
  const out = Buffer.alloc(16);
  head.forEach((w, i) => out.writeUInt16BE(w, 2 * i));
  tail.forEach((w, i) => out.writeUInt16BE(w, 2 * (8 - tail.length + i)));
  return out;
}

/** 16-bit groups of one side of `::`; a dotted IPv4 address may only end the last side. */
function groups(part: string, last: boolean): number[] | undefined {
  if (part === '') return [];
  const fields = part.split(':');
  const words: number[] = [];
  for (const [i, f] of fields.entries()) {
    if (last && i === fields.length - 1 && IPV4.test(f)) {
      const [a, b, c, d] = f.split('.').map(Number) as [number, number, number, number];
      words.push((a << 8) | b, (c << 8) | d);
    } else if (GROUP.test(f)) {
      words.push(parseInt(f, 16));
    } else {
      return undefined;
    }
  }
  return words;
}
