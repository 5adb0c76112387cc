import { indexPath, keyPath } from './issue-sink.js';
import {
  checkImageRefs,
  checkPlaceholders,
  checkSecretRefs,
  checkUnique,
} from './check-references.js';
import { asHex, asMap, asString, listItems, readFields, type Reader } from './read-node.js';
import { readAccessPolicy } from './read-access-policy.js';
import { readImage, type ImageDraft } from './read-image.js';
import { readSecret, type SecretDraft } from './read-secret.js';
import { readSecurity } from './read-security.js';
import { checkSessionName } from './session-name.js';
import type { Session } from './types.js';
import { readService, type PlaceholderSite, type ServiceDraft } from './read-service.js';
import type { YNode } from './yaml-tree.js';

const LEGACY = 'it belongs to the pre-0.3 session format; rewrite the file for version "0.3.10"';
const TOP_KEYS = {
  known: [
    'name',
    'version',
    'predecessor',
    'salt',
    'services',
    'secrets',
    'images',
    'access_policy',
    'security',
  ],
  unsupported: {
    volumes: 'encrypted volumes are not implemented yet',
    namespace_hash: 'pinning the parent namespace by hash is not implemented yet',
    secret_config: 'secret storage backends (Azure Key Vault) are not implemented yet',
    creator: 'the CAS sets `creator` on upload; a file cannot claim it',
    digest: LEGACY,
    board_members: LEGACY,
    board_policy: LEGACY,
    tags: LEGACY,
  },
} as const;

/** Versions of the session language we read: "0.3" and "0.3.0" to "0.3.12". */
const VERSION = /^0\.3(\.([0-9]|1[0-2]))?$/;

/** Validates a parsed session file and normalises it; every problem goes to `r.sink`. */
export function readSession(r: Reader, root: YNode): Session | null {
  const map = asMap(r, root, '');
  if (map === null) return null;
  const f = readFields(r, map, '', TOP_KEYS);
  const name = readName(r, f.get('name')?.value, map.offset);
  const version = readVersion(r, f.get('version')?.value, map.offset);
  const predecessor = readPredecessor(r, f.get('predecessor')?.value);
  const saltEntry = f.get('salt');
  const salt = saltEntry === undefined ? null : asHex(r, saltEntry.value, 'salt', 32);

  const sites: PlaceholderSite[] = [];
  const services = readList<ServiceDraft>(r, f.get('services')?.value, 'services', (n, p) =>
    readService(r, n, p, sites),
  );
  const secrets = readList<SecretDraft>(r, f.get('secrets')?.value, 'secrets', (n, p) =>
    readSecret(r, n, p, name),
  );
  const images = readList<ImageDraft>(r, f.get('images')?.value, 'images', (n, p) =>
    readImage(r, n, p, sites),
  );
  const access_policy = readAccessPolicy(r, f.get('access_policy')?.value, 'access_policy');
  const security = readSecurity(r, f.get('security')?.value, 'security');

  checkUnique(
    r,
    'service',
    services.map((s) => ({ name: s.service.name, path: s.path, offset: s.nameOffset })),
  );
  checkUnique(
    r,
    'secret',
    secrets.map((s) => ({ name: s.spec.name, path: s.path, offset: s.nameOffset })),
  );
  checkUnique(
    r,
    'image',
    images.map((s) => ({ name: s.image.name, path: s.path, offset: s.nameOffset })),
  );
  checkImageRefs(r, services, images);
  checkSecretRefs(r, secrets);
  checkPlaceholders(r, sites, secrets);
  if (security.attestation.mode !== 'none') {
    for (const s of services) {
      if (s.service.attestation.length === 0 && !s.attestationGiven) {
        r.sink.error(
          'CAS_POLICY_NO_ATTESTATION',
          s.path,
          s.nameOffset,
          `service "${s.service.name}" has no \`attestation\`; every service needs one unless security.attestation.mode is none`,
        );
      }
    }
  }
  if (salt === null && saltEntry === undefined) {
    // Public and config-fragment values are not secret, so guessing them gains nothing.
    const withValue = secrets.find(
      (s) =>
        s.spec.value !== undefined &&
        s.spec.kind !== 'config-fragment' &&
        s.spec.export_public !== true,
    );
    if (withValue !== undefined) {
      r.sink.warn(
        'CAS_POLICY_SALT_RECOMMENDED',
        keyPath(withValue.path, 'value'),
        withValue.fields.get('value')?.value.offset ?? withValue.nameOffset,
        'secrets with explicit values and no `salt`: anyone who sees the session hash can test guesses of those values; add `salt: <32 hex>`',
      );
    }
  }
  return {
    name,
    version,
    predecessor,
    ...(salt === null ? {} : { salt }),
    services: services.map((s) => s.service),
    secrets: secrets.map((s) => s.spec),
    images: images.map((i) => i.image),
    access_policy,
    security,
  };
}

function readList<T>(
  r: Reader,
  node: YNode | undefined,
  path: string,
  read: (n: YNode, p: string) => T | null,
): T[] {
  if (node === undefined || (node.kind === 'scalar' && node.value === null)) return [];
  const out: T[] = [];
  for (const item of listItems(r, node, path) ?? []) {
    const v = read(item.node, item.path);
    if (v !== null) out.push(v);
  }
  return out;
}

function readName(r: Reader, node: YNode | undefined, mapOffset: number): string {
  if (node === undefined) {
    r.sink.error('CAS_POLICY_MISSING_KEY', 'name', mapOffset, '`name` is required');
    return '';
  }
  const name = asString(r, node, 'name');
  if (name === null) return '';
  const problem = checkSessionName(name);
  if (problem !== null) r.sink.error('CAS_POLICY_BAD_NAME', 'name', node.offset, problem);
  return name;
}

function readVersion(r: Reader, node: YNode | undefined, mapOffset: number): string {
  if (node === undefined) {
    r.sink.error(
      'CAS_POLICY_UNSUPPORTED_VERSION',
      'version',
      mapOffset,
      'no `version`: SCONE then assumes 0.1, which is not supported; write version: "0.3.10"',
    );
    return '';
  }
  // Unquoted `0.3` is a YAML float; what counts is the text as written.
  const v =
    node.kind === 'scalar' && node.plain && typeof node.value === 'number'
      ? node.source
      : asString(r, node, 'version');
  if (v !== null && !VERSION.test(v)) {
    r.sink.error(
      'CAS_POLICY_UNSUPPORTED_VERSION',
      'version',
      node.offset,
      `version "${v}" is not supported; supported: "0.3" and "0.3.0" to "0.3.12"`,
    );
  }
  return v ?? '';
}

function readPredecessor(r: Reader, node: YNode | undefined): string | null {
  if (node === undefined || (node.kind === 'scalar' && node.value === null)) return null;
  return asHex(r, node, 'predecessor', 64);
}

/** Path of the i-th service (for callers that report on services). */
export function servicePath(i: number): string {
  return indexPath('services', i);
}
