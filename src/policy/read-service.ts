import { keyPath } from './issue-sink.js';
import { asMap, asString, listItems, readFields, requireField, type Reader } from './read-node.js';
import { isKeyHash } from '../crypto/key-hash.js';
import { splitCommand } from './split-command.js';
import type { AttestationVariant, Service } from './types.js';
import { readAttestation, readLegacyMrenclaves } from './read-attestation.js';
import type { YNode } from './yaml-tree.js';

/** A text that may hold placeholders, with where it is (checked once secrets are known). */
export interface PlaceholderSite {
  readonly text: string;
  readonly node: YNode;
  readonly path: string;
  /** A text context (command, environment, pwd): raw byte formats cannot render there. */
  readonly textOnly?: boolean;
}

/** A service as read, with the offset of its name (for duplicate and reference checks). */
export interface ServiceDraft {
  readonly service: Service;
  readonly path: string;
  readonly nameOffset: number;
  readonly imageNameNode?: YNode;
  /** Whether `attestation` or `mrenclaves` was written (even if it had errors). */
  readonly attestationGiven: boolean;
}

const FSPF = 'file-system shields (fspf) are not implemented yet';

const SERVICE_KEYS = {
  known: [
    'name',
    'image_name',
    'command',
    'environment',
    'pwd',
    'attestation',
    'mrenclaves',
    'platforms',
  ],
  unsupported: {
    fspf_path: FSPF,
    fspf_key: FSPF,
    fspf_tag: FSPF,
    fspf_update_policy: FSPF,
    one_time_password_shared_secret: 'one-time passwords (TOTP) are not implemented yet',
    persistency: 'it is a field of SCONE-normalised output, not of a session file',
    tags: 'it belongs to the pre-0.3 session format',
  },
} as const;

const SERVICE_NAME = /^[A-Za-z0-9_\-.~]{1,128}$/;
const HOST_ARG = /@@[0-9]+/;

/** Reads one entry of `services`. */
export function readService(
  r: Reader,
  node: YNode,
  path: string,
  sites: PlaceholderSite[],
): ServiceDraft | null {
  const map = asMap(r, node, path);
  if (map === null) return null;
  const f = readFields(r, map, path, SERVICE_KEYS);
  const nameEntry = requireField(r, f, map, path, 'name');
  let name = '';
  if (nameEntry !== undefined) {
    const n = asString(r, nameEntry.value, keyPath(path, 'name'));
    if (n !== null && !SERVICE_NAME.test(n)) {
      r.sink.error(
        'CAS_POLICY_BAD_NAME',
        keyPath(path, 'name'),
        nameEntry.value.offset,
        'a service name has 1 to 128 characters from A-Z a-z 0-9 _ - . ~',
      );
    }
    name = n ?? '';
  }
  const command = readCommand(
    r,
    requireField(r, f, map, path, 'command')?.value,
    keyPath(path, 'command'),
    sites,
  );
  const environment = readEnvironment(
    r,
    f.get('environment')?.value,
    keyPath(path, 'environment'),
    sites,
  );
  const service: { -readonly [K in keyof Service]: Service[K] } = {
    name,
    command,
    environment,
    attestation: readServiceAttestation(r, f, path),
  };
  const image = f.get('image_name');
  if (image !== undefined) {
    const s = asString(r, image.value, keyPath(path, 'image_name'));
    if (s !== null) service.image_name = s;
  }
  const pwd = f.get('pwd');
  if (pwd !== undefined) {
    const s = asString(r, pwd.value, keyPath(path, 'pwd'));
    if (s !== null && !s.startsWith('/')) {
      r.sink.error(
        'CAS_POLICY_BAD_VALUE',
        keyPath(path, 'pwd'),
        pwd.value.offset,
        '`pwd` must be an absolute path',
      );
    }
    if (s !== null) {
      service.pwd = s;
      sites.push({ text: s, node: pwd.value, path: keyPath(path, 'pwd'), textOnly: true });
    }
  }
  const platforms = f.get('platforms');
  if (platforms !== undefined)
    service.platforms = readPlatforms(r, platforms.value, keyPath(path, 'platforms'));
  return {
    service,
    path,
    nameOffset: nameEntry?.value.offset ?? map.offset,
    attestationGiven: f.has('attestation') || f.has('mrenclaves'),
    ...(image === undefined ? {} : { imageNameNode: image.value }),
  };
}

function readServiceAttestation(
  r: Reader,
  f: ReturnType<typeof readFields>,
  path: string,
): AttestationVariant[] {
  const att = f.get('attestation');
  const legacy = f.get('mrenclaves');
  if (att !== undefined && legacy !== undefined) {
    r.sink.error(
      'CAS_POLICY_CONFLICT',
      keyPath(path, 'mrenclaves'),
      legacy.keyOffset,
      'give either `attestation` or the legacy `mrenclaves`, not both',
    );
  }
  if (att !== undefined) return readAttestation(r, att.value, keyPath(path, 'attestation'));
  if (legacy !== undefined)
    return readLegacyMrenclaves(r, legacy.value, keyPath(path, 'mrenclaves'));
  return [];
}

function readCommand(
  r: Reader,
  node: YNode | undefined,
  path: string,
  sites: PlaceholderSite[],
): string[] {
  if (node === undefined) return [];
  let argv: string[] = [];
  if (node.kind === 'seq') {
    const items = listItems(r, node, path) ?? [];
    for (const item of items) {
      const s = asString(r, item.node, item.path);
      if (s !== null) argv.push(s);
    }
  } else {
    const s = asString(r, node, path);
    if (s === null) return [];
    const split = splitCommand(s);
    if ('error' in split) {
      r.sink.error(
        'CAS_POLICY_BAD_COMMAND',
        path,
        node.offset,
        `the command cannot be split into words: ${split.error}`,
      );
      return [];
    }
    argv = split.argv;
  }
  if (argv.length === 0) {
    r.sink.error('CAS_POLICY_BAD_COMMAND', path, node.offset, 'the command is empty');
  }
  if (argv.some((a) => HOST_ARG.test(a))) {
    r.sink.error(
      'CAS_POLICY_UNSUPPORTED_KEY',
      path,
      node.offset,
      'host arguments (`@@N` in `command`) are not supported yet',
    );
  }
  sites.push({ text: argv.join(' '), node, path, textOnly: true });
  return argv;
}

function readEnvironment(
  r: Reader,
  node: YNode | undefined,
  path: string,
  sites: PlaceholderSite[],
): Record<string, string> {
  const env: Record<string, string> = {};
  if (node === undefined) return env;
  const map = asMap(r, node, path);
  if (map === null) return env;
  for (const entry of map.entries) {
    const p = keyPath(path, entry.key);
    if (entry.key.startsWith('\\@\\@') || entry.key.startsWith('@@')) {
      r.sink.error(
        'CAS_POLICY_UNSUPPORTED_KEY',
        p,
        entry.keyOffset,
        `\`${entry.key}\`: host environment variables (\\@\\@NAME) are not supported yet`,
      );
      continue;
    }
    if (entry.key === '' || entry.key.includes('=') || entry.key.includes('\0')) {
      r.sink.error(
        'CAS_POLICY_BAD_NAME',
        p,
        entry.keyOffset,
        'an environment variable name is non-empty and has no `=` or NUL',
      );
      continue;
    }
    const v = asString(r, entry.value, p);
    if (v === null) continue;
    if (v.includes('\0')) {
      r.sink.error(
        'CAS_POLICY_BAD_VALUE',
        p,
        entry.value.offset,
        'an environment value must not contain NUL',
      );
      continue;
    }
    // A plain assignment would treat `__proto__` specially; every name is just data here.
    Object.defineProperty(env, entry.key, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    sites.push({ text: v, node: entry.value, path: p, textOnly: true });
  }
  return env;
}

function readPlatforms(r: Reader, node: YNode, path: string): string[] {
  const out: string[] = [];
  const items = listItems(r, node, path, true) ?? [];
  if (items.length === 0) {
    r.sink.error(
      'CAS_POLICY_BAD_VALUE',
      path,
      node.offset,
      'an empty `platforms` list would admit no platform; omit the key to admit any',
    );
  }
  for (const item of items) {
    const s = asString(r, item.node, item.path);
    if (s === null) continue;
    if (s.includes('$$SCONE::')) {
      r.sink.error(
        'CAS_POLICY_UNSUPPORTED_KEY',
        item.path,
        item.node.offset,
        'platform ids taken from placeholders are not supported yet',
      );
    } else if (isKeyHash(s) || /^[0-9a-fA-F]{64}$/.test(s)) {
      out.push(isKeyHash(s) ? s : s.toLowerCase());
    } else {
      r.sink.error(
        'CAS_POLICY_BAD_VALUE',
        item.path,
        item.node.offset,
        'a platform id is a LAS key hash or a 64-hex SCONE QE key',
      );
    }
  }
  return out;
}
