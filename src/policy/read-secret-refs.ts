import { keyPath } from './issue-sink.js';
import { asBool, asHex, asMap, asString, listItems, readFields, type Reader } from './read-node.js';
import { checkSessionName, resolveSessionRef } from './session-name.js';
import type { ExportTarget, SecretImport } from './types.js';
import type { YNode } from './yaml-tree.js';

const REMOTE = 'sharing with sessions on another CAS is not implemented yet';
const REMOTE_KEYS = { cas_url: REMOTE, cas_key: REMOTE, cas_software_key: REMOTE } as const;

/** Reads a session reference, resolving `./x` and `../x` against the session's own name. */
function readSessionRef(r: Reader, node: YNode, path: string, sessionName: string): string | null {
  const ref = asString(r, node, path);
  if (ref === null) return null;
  const resolved = resolveSessionRef(sessionName, ref);
  const problem =
    resolved === null ? 'it climbs above the root namespace' : checkSessionName(resolved);
  if (problem !== null || resolved === null) {
    r.sink.error(
      'CAS_POLICY_BAD_REFERENCE',
      path,
      node.offset,
      `"${ref}" is not a valid session reference: ${problem ?? ''}`,
    );
    return null;
  }
  return resolved;
}

/** Reads `import: {session, secret}`. */
export function readImport(
  r: Reader,
  node: YNode,
  path: string,
  sessionName: string,
): SecretImport | null {
  const map = asMap(r, node, path);
  if (map === null) return null;
  const f = readFields(r, map, path, { known: ['session', 'secret'], unsupported: REMOTE_KEYS });
  const s = f.get('session');
  const n = f.get('secret');
  if (s === undefined)
    r.sink.error(
      'CAS_POLICY_MISSING_KEY',
      keyPath(path, 'session'),
      map.offset,
      '`session` is required',
    );
  if (n === undefined)
    r.sink.error(
      'CAS_POLICY_MISSING_KEY',
      keyPath(path, 'secret'),
      map.offset,
      '`secret` is required',
    );
  const session =
    s === undefined ? null : readSessionRef(r, s.value, keyPath(path, 'session'), sessionName);
  const secret = n === undefined ? null : asString(r, n.value, keyPath(path, 'secret'));
  return session === null || secret === null ? null : { session, secret };
}

/** Reads `export`: a list of targets (a single map is taken as a list of one). */
export function readExports(
  r: Reader,
  node: YNode,
  path: string,
  sessionName: string,
): ExportTarget[] {
  const out: ExportTarget[] = [];
  for (const item of listItems(r, node, path, true) ?? []) {
    const t = readExportTarget(r, item.node, item.path, sessionName);
    if (t !== null) out.push(t);
  }
  return out;
}

function readExportTarget(
  r: Reader,
  node: YNode,
  path: string,
  sessionName: string,
): ExportTarget | null {
  const map = asMap(r, node, path);
  if (map === null) return null;
  const f = readFields(r, map, path, {
    known: ['session', 'namespace', 'session_hash', 'allow_weaker_attestation'],
    unsupported: REMOTE_KEYS,
  });
  const weakerEntry = f.get('allow_weaker_attestation');
  const weaker =
    weakerEntry === undefined
      ? null
      : asBool(r, weakerEntry.value, keyPath(path, 'allow_weaker_attestation'));
  const extra = weaker === true ? { allow_weaker_attestation: true } : {};
  const s = f.get('session');
  const ns = f.get('namespace');
  if ((s === undefined) === (ns === undefined)) {
    r.sink.error(
      'CAS_POLICY_CONFLICT',
      path,
      map.offset,
      'an export target has exactly one of `session` and `namespace`',
    );
    return null;
  }
  const h = f.get('session_hash');
  if (ns !== undefined) {
    if (h !== undefined) {
      r.sink.error(
        'CAS_POLICY_CONFLICT',
        keyPath(path, 'session_hash'),
        h.keyOffset,
        'a namespace export cannot pin a `session_hash`',
      );
    }
    const name = readSessionRef(r, ns.value, keyPath(path, 'namespace'), sessionName);
    return name === null ? null : { namespace: name, ...extra };
  }
  const name =
    s === undefined ? null : readSessionRef(r, s.value, keyPath(path, 'session'), sessionName);
  const hash = h === undefined ? undefined : asHex(r, h.value, keyPath(path, 'session_hash'), 64);
  if (name === null || hash === null) return null;
  return { session: name, ...(hash === undefined ? {} : { session_hash: hash }), ...extra };
}
