import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { keyPath } from './issue-sink.js';
import {
  asBool,
  asHex,
  asInt,
  asMap,
  asOneOf,
  asString,
  listItems,
  readFields,
  type Fields,
  type Reader,
} from './read-node.js';
import { parseDuration } from './duration.js';
import { readExports, readImport } from './read-secret-refs.js';
import type { KeyType, SecretKind, SecretSpec } from './types.js';
import { plainValue } from './plain-value.js';
import type { YNode } from './yaml-tree.js';

/** A secret as read, with offsets for the cross-reference checks. */
export interface SecretDraft {
  readonly spec: SecretSpec;
  readonly path: string;
  readonly nameOffset: number;
  readonly fields: Fields;
}

const KINDS: Readonly<Record<string, SecretKind>> = {
  ascii: 'ascii',
  binary: 'binary',
  hex: 'binary',
  'private-key': 'private-key',
  'public-key': 'public-key',
  x509: 'x509',
  'x509-ca': 'x509-ca',
  'config-fragment': 'config-fragment',
};
const UNSUPPORTED_KINDS: Readonly<Record<string, string>> = {
  'pgp-key': 'PGP keys are not implemented yet',
  jwt: 'JWT secrets are not implemented yet',
  'aad-token': 'Azure AD tokens are not implemented yet',
  'session-ca': 'it belongs to the 0.2 session language',
};
const KEY_TYPES: readonly KeyType[] = ['P-256', 'P-384', 'Ed25519', 'RSA-2048', 'RSA-3072'];
const CERT_PARAMS = ['private_key', 'issuer', 'common_name', 'san', 'dns', 'endpoint', 'valid_for'];
/** Which parameters each kind takes, besides name, kind, value, export, export_public and import. */
const PARAMS: Readonly<Record<SecretKind, readonly string[]>> = {
  ascii: ['size'],
  binary: ['size'],
  'private-key': ['key_type', 'migrate'],
  'public-key': ['private_key'],
  x509: CERT_PARAMS,
  'x509-ca': CERT_PARAMS,
  'config-fragment': [],
};
const ALL_PARAMS = ['size', 'key_type', 'migrate', ...CERT_PARAMS];
const DEFAULT_SIZE = 20;
const MAX_SIZE = 8192;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Reads one entry of `secrets`; `sessionName` resolves relative session references. */
export function readSecret(
  r: Reader,
  node: YNode,
  path: string,
  sessionName: string,
): SecretDraft | null {
  const map = asMap(r, node, path);
  if (map === null) return null;
  const f = readFields(r, map, path, {
    known: ['name', 'kind', 'value', 'export', 'export_public', 'import', ...ALL_PARAMS],
    unsupported: { import_akv: 'imports from Azure Key Vault are not implemented yet' },
  });
  const nameEntry = f.get('name');
  let name = '';
  if (nameEntry === undefined) {
    r.sink.error('CAS_POLICY_MISSING_KEY', keyPath(path, 'name'), map.offset, '`name` is required');
  } else {
    name = asString(r, nameEntry.value, keyPath(path, 'name')) ?? '';
    if (
      nameEntry.value.kind === 'scalar' &&
      name !== '' &&
      !/^[A-Za-z0-9_\-.~]{1,128}$/.test(name)
    ) {
      r.sink.error(
        'CAS_POLICY_BAD_NAME',
        keyPath(path, 'name'),
        nameEntry.value.offset,
        'a secret name has 1 to 128 characters from A-Z a-z 0-9 _ - . ~',
      );
    }
  }
  const spec: Mutable<SecretSpec> = { name };
  const kind = readKind(r, f, path);
  if (kind !== undefined) spec.kind = kind;
  const imp = f.get('import');
  if (imp !== undefined) {
    const i = readImport(r, imp.value, keyPath(path, 'import'), sessionName);
    if (i !== null) spec.import = i;
    for (const k of ['value', ...ALL_PARAMS]) {
      const e = f.get(k);
      if (e !== undefined) {
        r.sink.error(
          'CAS_POLICY_CONFLICT',
          keyPath(path, k),
          e.keyOffset,
          `\`${k}\` cannot be combined with \`import\` (the exporter decides it)`,
        );
      }
    }
  } else if (kind === undefined && !f.has('kind')) {
    r.sink.error(
      'CAS_POLICY_MISSING_KEY',
      keyPath(path, 'kind'),
      map.offset,
      '`kind` is required unless the secret is imported',
    );
  }
  if (kind !== undefined) {
    for (const k of ALL_PARAMS) {
      const e = f.get(k);
      if (e !== undefined && !PARAMS[kind].includes(k) && imp === undefined) {
        r.sink.error(
          'CAS_POLICY_UNKNOWN_KEY',
          keyPath(path, k),
          e.keyOffset,
          `\`${k}\` does not apply to secrets of kind ${kind}`,
        );
      }
    }
    if (imp === undefined) readKindParams(r, f, path, kind, spec);
  }
  const exp = f.get('export');
  if (exp !== undefined)
    spec.export = readExports(r, exp.value, keyPath(path, 'export'), sessionName);
  const pub = f.get('export_public');
  if (pub !== undefined) {
    const b = asBool(r, pub.value, keyPath(path, 'export_public'));
    if (b === true && kind === 'private-key') {
      r.sink.error(
        'CAS_POLICY_EXPORT_PUBLIC_PRIVATE_KEY',
        keyPath(path, 'export_public'),
        pub.keyOffset,
        '`export_public` would publish a private key; export its public-key or certificate instead',
      );
    }
    if (b === true) spec.export_public = true;
  }
  return { spec, path, nameOffset: nameEntry?.value.offset ?? map.offset, fields: f };
}

function readKind(r: Reader, f: Fields, path: string): SecretKind | undefined {
  const e = f.get('kind');
  if (e === undefined) return undefined;
  const s = asString(r, e.value, keyPath(path, 'kind'));
  if (s === null) return undefined;
  const kind = KINDS[s];
  if (kind !== undefined) return kind;
  const why = UNSUPPORTED_KINDS[s];
  if (why !== undefined) {
    r.sink.error(
      'CAS_POLICY_UNSUPPORTED_KEY',
      keyPath(path, 'kind'),
      e.value.offset,
      `secret kind \`${s}\` is not supported: ${why}`,
    );
  } else {
    r.sink.error(
      'CAS_POLICY_BAD_VALUE',
      keyPath(path, 'kind'),
      e.value.offset,
      `unknown secret kind "${s}"; kinds: ${Object.keys(KINDS).join(', ')}`,
    );
  }
  return undefined;
}

function readKindParams(
  r: Reader,
  f: Fields,
  path: string,
  kind: SecretKind,
  spec: Mutable<SecretSpec>,
): void {
  const value = f.get('value');
  if (value !== undefined) {
    const v = readValue(r, value.value, keyPath(path, 'value'), kind);
    if (v !== undefined) spec.value = v;
  }
  const generated = value === undefined;
  const size = f.get('size');
  if (size !== undefined && (kind === 'ascii' || kind === 'binary')) {
    const n = asInt(r, size.value, keyPath(path, 'size'), 1, MAX_SIZE);
    if (n !== null) spec.size = n;
    if (!generated) conflict(r, path, 'size', size.keyOffset);
  } else if (generated && (kind === 'ascii' || kind === 'binary')) {
    spec.size = DEFAULT_SIZE;
  }
  if (kind === 'private-key') readKeyParams(r, f, path, generated, spec);
  if (kind === 'public-key' || kind === 'x509' || kind === 'x509-ca') {
    const pk = f.get('private_key');
    if (pk !== undefined) {
      const s = asString(r, pk.value, keyPath(path, 'private_key'));
      if (s !== null) spec.private_key = s;
    } else if (generated) {
      r.sink.error(
        'CAS_POLICY_MISSING_KEY',
        keyPath(path, 'private_key'),
        f.get('kind')?.keyOffset ?? 0,
        `a generated ${kind} needs \`private_key\` (the name of a private-key secret)`,
      );
    }
  }
  if (kind === 'x509' || kind === 'x509-ca') readCertParams(r, f, path, generated, spec);
}

function conflict(r: Reader, path: string, key: string, offset: number): void {
  r.sink.error(
    'CAS_POLICY_CONFLICT',
    keyPath(path, key),
    offset,
    `\`${key}\` is for generated secrets and cannot be combined with \`value\``,
  );
}

function readKeyParams(
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

function readCertParams(
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

/** Checks an explicit value for its kind; the message never repeats the value. */
function readValue(r: Reader, node: YNode, path: string, kind: SecretKind): unknown {
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
      createPrivateKey(s);
    } else if (kind === 'public-key') {
      if (!s.includes('-----BEGIN PUBLIC KEY-----')) return bad('an SPKI PEM public key');
      createPublicKey(s);
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
