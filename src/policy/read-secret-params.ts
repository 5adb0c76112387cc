import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { parseDuration } from './duration.js';
import { keyPath } from './issue-sink.js';
import {
  asBool,
  asHex,
  asOneOf,
  asString,
  listItems,
  type Fields,
  type Reader,
} from './read-node.js';
import { plainValue } from './plain-value.js';
import type { KeyType, SecretKind, SecretSpec } from './types.js';
import type { YNode } from './yaml-tree.js';

/** Generation parameters and explicit values of secrets, per kind (see `read-secret.ts`). */

/** A writable view of a read-only type, for building normalised objects. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const KEY_TYPES: readonly KeyType[] = ['P-256', 'P-384', 'Ed25519', 'RSA-2048', 'RSA-3072'];

/** Reports a generation parameter given together with an explicit `value`. */
export function conflict(r: Reader, path: string, key: string, offset: number): void {
  r.sink.error(
    'CAS_POLICY_CONFLICT',
    keyPath(path, key),
    offset,
    `\`${key}\` is for generated secrets and cannot be combined with \`value\``,
  );
}

export function readKeyParams(
  r: Reader,
  f: Fields,
  path: string,
  generated: boolean,
  spec: Mutable<SecretSpec>,
): void {
  const kt = f.get('key_type');
  if (kt !== undefined) {
    const found = asOneOf(r, kt.value, keyPath(path, 'key_type'), KEY_TYPES);
    if (found !== null) spec.key_type = found;
    if (!generated) conflict(r, path, 'key_type', kt.keyOffset);
  } else if (generated) {
    spec.key_type = 'P-256';
  }
  const mig = f.get('migrate');
  if (mig !== undefined && asBool(r, mig.value, keyPath(path, 'migrate')) === true)
    spec.migrate = true;
}

export function readCertParams(
  r: Reader,
  f: Fields,
  path: string,
  generated: boolean,
  spec: Mutable<SecretSpec>,
): void {
  const str = (k: string): string | undefined => {
    const e = f.get(k);
    if (e === undefined) return undefined;
    if (!generated) conflict(r, path, k, e.keyOffset);
    return asString(r, e.value, keyPath(path, k)) ?? undefined;
  };
  const issuer = str('issuer');
  if (issuer !== undefined) spec.issuer = issuer;
  const endpoint = str('endpoint');
  if (endpoint === 'server' || endpoint === 'client') spec.endpoint = endpoint;
  else if (endpoint !== undefined) {
    r.sink.error(
      'CAS_POLICY_BAD_VALUE',
      keyPath(path, 'endpoint'),
      f.get('endpoint')?.value.offset ?? 0,
      'endpoint is `server` or `client`',
    );
  }
  const vf = str('valid_for');
  if (vf !== undefined) {
    const seconds = parseDuration(vf);
    if (seconds === null) {
      r.sink.error(
        'CAS_POLICY_BAD_DURATION',
        keyPath(path, 'valid_for'),
        f.get('valid_for')?.value.offset ?? 0,
        `"${vf}" is not a duration like \`90 days\`, \`59d\`, \`24h\` or \`30m\``,
      );
    } else spec.valid_for = seconds;
  }
  const san = readSan(r, f, path);
  if (san.length > 0) spec.san = san;
  const cn = str('common_name');
  if (cn !== undefined) spec.common_name = cn;
  else if (generated) {
    const firstDns = san.find((s) => s.startsWith('dns:'));
    spec.common_name = firstDns === undefined ? spec.name : firstDns.slice(4);
  }
}

const DNS_NAME =
  /^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;
const IPV4 = /^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}$/;
const IPV6 = /^(?=.*:)[0-9a-fA-F:.]{2,45}$/;

function readSan(r: Reader, f: Fields, path: string): string[] {
  const out: string[] = [];
  const dns = f.get('dns');
  if (dns !== undefined) {
    for (const item of listItems(r, dns.value, keyPath(path, 'dns'), true) ?? []) {
      const s = asString(r, item.node, item.path);
      if (s !== null) out.push(checkSan(r, `dns:${s}`, item.node, item.path));
    }
  }
  const san = f.get('san');
  if (san !== undefined) {
    for (const item of listItems(r, san.value, keyPath(path, 'san'), true) ?? []) {
      const s = asString(r, item.node, item.path);
      if (s !== null) out.push(checkSan(r, s, item.node, item.path));
    }
  }
  return out;
}

function checkSan(r: Reader, entry: string, node: YNode, path: string): string {
  const ok = entry.startsWith('dns:')
    ? entry.length <= 257 && DNS_NAME.test(entry.slice(4))
    : entry.startsWith('ip:') && (IPV4.test(entry.slice(3)) || IPV6.test(entry.slice(3)));
  if (!ok) {
    r.sink.error(
      'CAS_POLICY_BAD_VALUE',
      path,
      node.offset,
      `"${entry}" is not a SAN entry \`dns:<name>\` or \`ip:<address>\``,
    );
  }
  return entry.startsWith('dns:') ? entry.toLowerCase() : entry;
}

/** Checks an explicit value for its kind; the message never repeats the value (it may be secret). */
export function readSecretValue(r: Reader, node: YNode, path: string, kind: SecretKind): unknown {
  if (kind === 'config-fragment') {
    const v = plainValue(node);
    if (v === undefined)
      r.sink.error(
        'CAS_POLICY_BAD_VALUE',
        path,
        node.offset,
        'a config-fragment value must not hold .inf or .nan',
      );
    return v;
  }
  if (kind === 'binary') return asHexAnyLength(r, node, path);
  const s = asString(r, node, path);
  if (s === null) return undefined;
  const bad = (what: string): undefined => {
    r.sink.error('CAS_POLICY_BAD_VALUE', path, node.offset, `the value is not ${what}`);
    return undefined;
  };
  try {
    if (kind === 'private-key') {
      if (!s.includes('-----BEGIN PRIVATE KEY-----')) return bad('a PKCS#8 PEM private key');
      if (!isSupportedKey(createPrivateKey(s)))
        return bad(`a key of a supported type (${KEY_TYPES.join(', ')})`);
    } else if (kind === 'public-key') {
      if (!s.includes('-----BEGIN PUBLIC KEY-----')) return bad('an SPKI PEM public key');
      if (!isSupportedKey(createPublicKey(s)))
        return bad(`a key of a supported type (${KEY_TYPES.join(', ')})`);
    } else if (kind === 'x509' || kind === 'x509-ca') {
      new X509Certificate(s);
    }
  } catch {
    return bad(
      kind === 'x509' || kind === 'x509-ca' ? 'a PEM certificate' : 'a well-formed PEM key',
    );
  }
  return s;
}

function asHexAnyLength(r: Reader, node: YNode, path: string): string | undefined {
  const s = asString(r, node, path);
  if (s === null) return undefined;
  if (s.length === 0 || s.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(s)) {
    r.sink.error(
      'CAS_POLICY_BAD_HEX',
      path,
      node.offset,
      'a binary value is a non-empty hex string with an even number of characters',
    );
    return undefined;
  }
  return asHex(r, node, path, s.length) ?? undefined;
}

/** Whether a key is of one of the {@link KEY_TYPES}: P-256, P-384, Ed25519, RSA-2048, RSA-3072. */
function isSupportedKey(key: KeyObject): boolean {
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ed25519') return true;
  if (key.asymmetricKeyType === 'ec')
    return d.namedCurve === 'prime256v1' || d.namedCurve === 'secp384r1';
  if (key.asymmetricKeyType === 'rsa') return d.modulusLength === 2048 || d.modulusLength === 3072;
  return false;
}
