/** One PEM block: its label (`CERTIFICATE`, `PRIVATE KEY`, ...) and its full text. */
export interface PemBlock {
  readonly label: string;
  readonly text: string;
}

/** The PEM blocks of a text, in order; anything between blocks is ignored. */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push({ label: m[1] ?? '', text: m[0] + '\n' });
  }
  return out;
}
