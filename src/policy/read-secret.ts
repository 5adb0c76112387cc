import { keyPath } from './issue-sink.js';
import {
  asBool,
  asInt,
  asMap,
  asString,
  readFields,
  type Fields,
  type Reader,
} from './read-node.js';
import {
  conflict,
  readCertParams,
  readKeyParams,
  readSecretValue,
  type Mutable,
} from './read-secret-params.js';
import { readExports, readImport } from './read-secret-refs.js';
import type { SecretKind, SecretSpec } from './types.js';
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
    const v = readSecretValue(r, value.value, keyPath(path, 'value'), kind);
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
