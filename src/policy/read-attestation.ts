import { keyPath } from './issue-sink.js';
import {
  asHex,
  asInt,
  asMap,
  asOneOf,
  listItems,
  readFields,
  type Fields,
  type Reader,
} from './read-node.js';
import type { AttestationVariant, SignerFactor, SnpFactor } from './types.js';
import type { YMap, YNode } from './yaml-tree.js';

const FRAGMENT =
  'a value taken from a `$$SCONE::...$$` config-fragment placeholder (dynamic configuration)';

/** Reads `attestation` (one variant or a list of variants) of a service. */
export function readAttestation(r: Reader, node: YNode, path: string): AttestationVariant[] {
  const items = listItems(r, node, path, true) ?? [];
  if (node.kind === 'seq' && items.length === 0) {
    r.sink.error(
      'CAS_POLICY_EMPTY_VARIANT',
      path,
      node.offset,
      'an empty attestation list states no variant; give at least one',
    );
  }
  const variants: AttestationVariant[] = [];
  for (const item of items) {
    const v = readVariant(r, item.node, item.path);
    if (v !== null) variants.push(v);
  }
  return variants;
}

/** Reads a legacy `mrenclaves: [...]` list as the one variant it stands for. */
export function readLegacyMrenclaves(r: Reader, node: YNode, path: string): AttestationVariant[] {
  const list = readMrenclaveList(r, node, path);
  return list === null ? [] : [{ mrenclave: list }];
}

function readVariant(r: Reader, node: YNode, path: string): AttestationVariant | null {
  if (
    node.kind === 'scalar' &&
    typeof node.value === 'string' &&
    node.value.includes('$$SCONE::')
  ) {
    r.sink.error(
      'CAS_POLICY_UNSUPPORTED_KEY',
      path,
      node.offset,
      `an attestation variant that is ${FRAGMENT} is not supported`,
    );
    return null;
  }
  const map = asMap(r, node, path);
  if (map === null) return null;
  const f = readFields(r, map, path, {
    known: ['mrenclave', 'signer', 'tdx', 'snp', 'nitro', 'tpm'],
    unsupported: { platforms: 'use `platforms` on the service' },
  });
  const variant: { -readonly [K in keyof AttestationVariant]: AttestationVariant[K] } = {};
  const mr = f.get('mrenclave');
  if (mr !== undefined) {
    const list = readMrenclaveList(r, mr.value, keyPath(path, 'mrenclave'));
    if (list !== null) variant.mrenclave = list;
  }
  const signer = f.get('signer');
  if (signer !== undefined) {
    const s = readSigner(r, signer.value, keyPath(path, 'signer'));
    if (s !== null) variant.signer = s;
  }
  const tdx = f.get('tdx');
  if (tdx !== undefined) {
    const t = readHexFactor(r, tdx.value, keyPath(path, 'tdx'), TDX_FIELDS);
    if (t !== null) variant.tdx = t;
  }
  const snp = f.get('snp');
  if (snp !== undefined) {
    const s = readSnp(r, snp.value, keyPath(path, 'snp'));
    if (s !== null) variant.snp = s;
  }
  const nitro = f.get('nitro');
  if (nitro !== undefined) {
    const n = readHexFactor(r, nitro.value, keyPath(path, 'nitro'), NITRO_FIELDS);
    if (n !== null) variant.nitro = n;
  }
  const tpm = f.get('tpm');
  if (tpm !== undefined) {
    const t = readHexFactor(r, tpm.value, keyPath(path, 'tpm'), TPM_FIELDS);
    if (t !== null) variant.tpm = t;
  }
  if (map.entries.length === 0) {
    r.sink.error(
      'CAS_POLICY_EMPTY_VARIANT',
      path,
      map.offset,
      'an attestation variant must state at least one factor',
    );
  }
  return variant;
}

function readMrenclaveList(r: Reader, node: YNode, path: string): string[] | null {
  const items = listItems(r, node, path, true);
  if (items === null) return null;
  if (items.length === 0) {
    r.sink.error(
      'CAS_POLICY_EMPTY_VARIANT',
      path,
      node.offset,
      'an empty mrenclave list would match no enclave; list at least one',
    );
    return null;
  }
  const out: string[] = [];
  for (const item of items) {
    const h = asHex(r, item.node, item.path, 64);
    if (h !== null) out.push(h);
  }
  return out;
}

function readSigner(r: Reader, node: YNode, path: string): SignerFactor | null {
  const map = asMap(r, node, path);
  if (map === null) return null;
  const f = readFields(r, map, path, {
    known: ['mrsigner', 'isvprodid', 'isvsvn', 'isvsvn_min', 'isvsvn_max'],
  });
  const num = (k: string): number | undefined => {
    const e = f.get(k);
    return e === undefined
      ? undefined
      : (asInt(r, e.value, keyPath(path, k), 0, 65535) ?? undefined);
  };
  const mrsignerEntry = f.get('mrsigner');
  const mrsigner =
    mrsignerEntry === undefined
      ? null
      : asHex(r, mrsignerEntry.value, keyPath(path, 'mrsigner'), 64);
  const isvprodid = num('isvprodid');
  const isvsvn = num('isvsvn');
  const min = num('isvsvn_min');
  const max = num('isvsvn_max');
  const bad = (message: string): void =>
    r.sink.error('CAS_POLICY_BAD_SIGNER', path, map.offset, message);
  if (mrsignerEntry === undefined) bad('a signer factor needs `mrsigner`');
  if (!f.has('isvprodid')) bad('a signer factor needs `isvprodid`');
  const hasRange = f.has('isvsvn_min') || f.has('isvsvn_max');
  if (f.has('isvsvn') && hasRange)
    bad('give either `isvsvn` or `isvsvn_min`/`isvsvn_max`, not both');
  if (!f.has('isvsvn') && !hasRange)
    bad('a signer factor needs `isvsvn` or `isvsvn_min`/`isvsvn_max`');
  if (min !== undefined && max !== undefined && min > max)
    bad('`isvsvn_min` is greater than `isvsvn_max`');
  if (mrsigner === null || isvprodid === undefined) return null;
  return {
    mrsigner,
    isvprodid,
    ...(isvsvn === undefined ? {} : { isvsvn }),
    ...(min === undefined ? {} : { isvsvn_min: min }),
    ...(max === undefined ? {} : { isvsvn_max: max }),
  };
}

const TDX_FIELDS: Readonly<Record<string, number>> = {
  mrtd: 96,
  rtmr0: 96,
  rtmr1: 96,
  rtmr2: 96,
  rtmr3: 96,
  mrconfigid: 96,
  mrowner: 96,
  mrownerconfig: 96,
};

const NITRO_FIELDS: Readonly<Record<string, number>> = Object.fromEntries(
  Array.from({ length: 9 }, (_, i) => [`pcr${i}`, 96]),
);

/** The PCRs of a TPM's SHA-256 bank (a TPM 2.0 has 24). */
const TPM_FIELDS: Readonly<Record<string, number>> = Object.fromEntries(
  Array.from({ length: 24 }, (_, i) => [`pcr${i}`, 64]),
);

/** A map of expected hex values with fixed lengths; at least one must be given. */
function readHexFactor(
  r: Reader,
  node: YNode,
  path: string,
  lengths: Readonly<Record<string, number>>,
): Record<string, string> | null {
  const map = asMap(r, node, path);
  if (map === null) return null;
  const f = readFields(r, map, path, { known: Object.keys(lengths) });
  const out = hexFields(r, f, path, lengths);
  if (map.entries.length === 0) emptyFactor(r, map, path);
  return out;
}

function hexFields(
  r: Reader,
  f: Fields,
  path: string,
  lengths: Readonly<Record<string, number>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, entry] of f) {
    const len = lengths[key];
    if (len === undefined) continue;
    const h = asHex(r, entry.value, keyPath(path, key), len);
    if (h !== null) out[key] = h;
  }
  return out;
}

function emptyFactor(r: Reader, map: YMap, path: string): void {
  r.sink.error(
    'CAS_POLICY_EMPTY_VARIANT',
    path,
    map.offset,
    'this factor states no expected value, so it would accept any workload',
  );
}

const SNP_FAMILIES = ['Milan', 'Genoa', 'Turin'] as const;

function readSnp(r: Reader, node: YNode, path: string): SnpFactor | null {
  const map = asMap(r, node, path);
  if (map === null) return null;
  const f = readFields(r, map, path, { known: ['measurement', 'host_data', 'family', 'min_tcb'] });
  const hex = hexFields(r, f, path, { measurement: 96, host_data: 64 });
  if (!f.has('measurement') && !f.has('host_data')) {
    r.sink.error(
      'CAS_POLICY_EMPTY_VARIANT',
      path,
      map.offset,
      'an snp factor needs `measurement` or `host_data`',
    );
  }
  const out: { -readonly [K in keyof SnpFactor]: SnpFactor[K] } = { ...hex };
  const fam = f.get('family');
  if (fam !== undefined) {
    const found = asOneOf(r, fam.value, keyPath(path, 'family'), SNP_FAMILIES);
    if (found !== null) out.family = found;
  }
  const tcb = f.get('min_tcb');
  if (tcb !== undefined) {
    const tp = keyPath(path, 'min_tcb');
    const tm = asMap(r, tcb.value, tp);
    if (tm !== null) {
      const tf = readFields(r, tm, tp, { known: ['bootloader', 'tee', 'snp', 'microcode'] });
      const min: Record<string, number> = {};
      for (const [k, e] of tf) {
        const n = asInt(r, e.value, keyPath(tp, k), 0, 255);
        if (n !== null) min[k] = n;
      }
      out.min_tcb = min;
    }
  }
  return out;
}
