import { keyPath } from './issue-sink.js';
import { asMap, asOneOf, asString, listItems, readFields, type Reader } from './read-node.js';
import type { AttestationMode, SecurityPolicy } from './types.js';
import type { YNode } from './yaml-tree.js';

const TOLERATIONS = [
  'debug-mode',
  'hyperthreading',
  'insecure-igpu',
  'software-hardening-needed',
  'aepic-leak',
  'insecure-configuration',
  'outdated-tcb',
];
const MODES: readonly AttestationMode[] = ['hardware', 'simulation', 'none'];
const FRAGMENT = 'sections taken from a `$$SCONE::...$$` placeholder are not implemented yet';
const OTP = 'one-time passwords (TOTP) are not implemented yet';

/** Reads `security` and fills its defaults (mode hardware, nothing tolerated). */
export function readSecurity(r: Reader, node: YNode | undefined, path: string): SecurityPolicy {
  let mode: AttestationMode = 'hardware';
  let tolerate: string[] = [];
  let ignore: string[] = [];
  const sec = node === undefined ? null : fragmentOrMap(r, node, path, '`security`');
  const f =
    sec === null
      ? null
      : readFields(r, sec, path, {
          known: ['attestation'],
          unsupported: {
            singleton_enclaves: 'singleton enclaves are not implemented yet',
            service_access_token: 'service access tokens are not implemented yet',
          },
        });
  const attEntry = f?.get('attestation');
  const ap = keyPath(path, 'attestation');
  const att =
    attEntry === undefined ? null : fragmentOrMap(r, attEntry.value, ap, '`security.attestation`');
  if (att !== null) {
    const af = readFields(r, att, ap, {
      known: ['mode', 'tolerate', 'ignore_advisories'],
      unsupported: {
        trusted_scone_qe_pubkeys: 'extra quoting-enclave trust anchors are not implemented yet',
        must_be_sgx_local: 'forced SGX local attestation is not implemented yet',
        one_time_password_shared_secret: OTP,
        url: 'Microsoft Azure Attestation is not implemented yet',
        certificates: 'Microsoft Azure Attestation is not implemented yet',
      },
    });
    const m = af.get('mode');
    if (m !== undefined) {
      if (m.value.kind === 'scalar' && m.value.value === 'maa') {
        r.sink.error(
          'CAS_POLICY_UNSUPPORTED_KEY',
          keyPath(ap, 'mode'),
          m.value.offset,
          '`mode: maa` (Microsoft Azure Attestation) is not implemented yet',
        );
      } else {
        mode = asOneOf(r, m.value, keyPath(ap, 'mode'), MODES) ?? mode;
      }
    }
    const t = af.get('tolerate');
    if (t !== undefined) tolerate = readTolerate(r, t.value, keyPath(ap, 'tolerate'));
    const ia = af.get('ignore_advisories');
    if (ia !== undefined) ignore = readAdvisories(r, ia.value, keyPath(ap, 'ignore_advisories'));
    if (ignore.includes('*') && !tolerate.includes('debug-mode') && ia !== undefined) {
      r.sink.warn(
        'CAS_POLICY_IGNORE_ALL_ADVISORIES',
        keyPath(ap, 'ignore_advisories'),
        ia.value.offset,
        '"*" (ignore every advisory) is honoured only together with `tolerate: [debug-mode]`; without it no advisory is ignored, so list the advisory ids you accept',
      );
    }
  }
  return { attestation: { mode, tolerate, ignore_advisories: ignore } };
}

function fragmentOrMap(
  r: Reader,
  node: YNode,
  path: string,
  what: string,
): ReturnType<typeof asMap> {
  if (
    node.kind === 'scalar' &&
    typeof node.value === 'string' &&
    node.value.includes('$$SCONE::')
  ) {
    r.sink.error('CAS_POLICY_UNSUPPORTED_KEY', path, node.offset, `${what}: ${FRAGMENT}`);
    return null;
  }
  return asMap(r, node, path);
}

function readTolerate(r: Reader, node: YNode, path: string): string[] {
  const out: string[] = [];
  for (const item of listItems(r, node, path, true) ?? []) {
    const s = asString(r, item.node, item.path);
    if (s === null) continue;
    if (TOLERATIONS.includes(s)) {
      if (!out.includes(s)) out.push(s);
    } else if (s === 'local-attestation-trust-cas-tcb' || s === 'maa-managed-tcb') {
      r.sink.error(
        'CAS_POLICY_UNSUPPORTED_KEY',
        item.path,
        item.node.offset,
        `tolerating \`${s}\` is not implemented yet`,
      );
    } else {
      r.sink.error(
        'CAS_POLICY_BAD_VALUE',
        item.path,
        item.node.offset,
        `unknown toleration "${s}"; known: ${TOLERATIONS.join(', ')}`,
      );
    }
  }
  return out.sort();
}

function readAdvisories(r: Reader, node: YNode, path: string): string[] {
  const out: string[] = [];
  for (const item of listItems(r, node, path, true) ?? []) {
    const s = asString(r, item.node, item.path);
    if (s === null) continue;
    if (s === '*' || /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(s)) {
      if (!out.includes(s)) out.push(s);
    } else {
      r.sink.error(
        'CAS_POLICY_BAD_VALUE',
        item.path,
        item.node.offset,
        `"${s}" is not an advisory id (like INTEL-SA-00161) or "*"`,
      );
    }
  }
  if (out.includes('*') && out.length > 1) {
    r.sink.error('CAS_POLICY_BAD_VALUE', path, node.offset, '"*" must be alone');
  }
  return out.sort();
}
