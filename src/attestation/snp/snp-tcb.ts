/**
 * SEV-SNP TCB_VERSION decoding. The 8-byte layout depends on the product: Milan and Genoa put
 * the bootloader SPL in byte 0, TEE in 1, SNP in 6 and microcode in 7; Turin adds an FMC SPL in
 * byte 0 and moves bootloader, TEE and SNP to bytes 1-3 (microcode stays in byte 7).
 */

/** The AMD EPYC generations that have their own ARK. */
export type SnpProduct = 'Milan' | 'Genoa' | 'Turin';

export const SNP_PRODUCTS: readonly SnpProduct[] = ['Milan', 'Genoa', 'Turin'];

/** Security patch levels of one TCB_VERSION; `fmc` only on Turin. */
export interface SnpTcb {
  readonly bootloader: number;
  readonly tee: number;
  readonly snp: number;
  readonly microcode: number;
  readonly fmc?: number;
}

/** Decodes an 8-byte TCB_VERSION for `product`. */
export function decodeTcb(bytes: Uint8Array, product: SnpProduct): SnpTcb {
  if (product === 'Turin') {
    return {
      fmc: bytes[0]!,
      bootloader: bytes[1]!,
      tee: bytes[2]!,
      snp: bytes[3]!,
      microcode: bytes[7]!,
    };
  }
  return { bootloader: bytes[0]!, tee: bytes[1]!, snp: bytes[6]!, microcode: bytes[7]! };
}

/** The TCB components by name, in a stable order (fmc last, when present). */
export function tcbEntries(tcb: SnpTcb): [keyof SnpTcb, number][] {
  const entries: [keyof SnpTcb, number][] = [
    ['bootloader', tcb.bootloader],
    ['tee', tcb.tee],
    ['snp', tcb.snp],
    ['microcode', tcb.microcode],
  ];
  if (tcb.fmc !== undefined) entries.push(['fmc', tcb.fmc]);
  return entries;
}

/** The components of `tcb` that are below `minimum` (absent minimum components are not checked). */
export function tcbBelow(tcb: SnpTcb, minimum: Partial<SnpTcb>): string[] {
  const below: string[] = [];
  for (const [name, value] of tcbEntries(tcb)) {
    const required = minimum[name];
    if (required !== undefined && value < required) below.push(`${name} ${value} < ${required}`);
  }
  if (minimum.fmc !== undefined && tcb.fmc === undefined) below.push('fmc absent');
  return below;
}

/**
 * The product a v3+ report's CPUID family/model names, or null when unknown.
 * Family 19h: models 00h-0Fh are Milan, 10h-1Fh and A0h-AFh Genoa (and its Bergamo/Siena
 * variants, which use Genoa keys); family 1Ah models 00h-1Fh and 90h-AFh are Turin.
 */
export function productOfCpuid(family: number, model: number): SnpProduct | null {
  if (family === 0x19) {
    if (model <= 0x0f) return 'Milan';
    if (model <= 0x1f || (model >= 0xa0 && model <= 0xaf)) return 'Genoa';
  }
  if (family === 0x1a && (model <= 0x1f || (model >= 0x90 && model <= 0xaf))) return 'Turin';
  return null;
}
