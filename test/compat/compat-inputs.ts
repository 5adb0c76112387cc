import { keyHashOfSpki } from '../../src/crypto/key-hash.js';

/**
 * Values for the template variables of the compatibility corpus (`../shared/compat/README.md`)
 * and the textual replacement of placeholder styles that other tools own (ethernity `__X__`,
 * Helm `{{ ... }}`), which the README says a test applies first.
 */
const HEX64 = 'ab'.repeat(32);
const OWNER_KEY_HASH = keyHashOfSpki(new Uint8Array(32).fill(7));

/** `-e` values for every `$NAME` the README lists; variables only in comments are absent on purpose. */
export const COMPAT_VARS: Readonly<Record<string, string>> = {
  NAMESPACE: 'compat-ns',
  SESSION: 'compat-session',
  HISTORY_SESSION: 'compat-history',
  POLICY_NAME: 'compat-backup',
  FLASK_SESSION: 'compat-flask',
  REDIS_SESSION: 'compat-redis',
  ACCESS_TOKEN_SESSION: 'compat-ns/access_token_policy',
  CAS_POLICY_NAMESPACE: 'compat-',
  MRENCLAVE: HEX64,
  SCONE_CLI_MRENCLAVE: HEX64,
  FPRINT_MRENCLAVE: HEX64,
  PRINT_FILE_MRENCLAVE: HEX64,
  MRSIGNER: 'cd'.repeat(32),
  ISVPRODID: '1',
  ISVSVN: '2',
  SCONE_FSPF_TAG: 'ef'.repeat(16),
  SCONE_FSPF_KEY: HEX64,
  OWNER_ID: 'owner1',
  OWNER: OWNER_KEY_HASH,
  // Multi-line and already indented: it sits at column 0 inside a `|` block.
  OWNER_IDENTITY: '          {"identity": "owner"}\n          {"more": true}',
  CMD: '/usr/bin/app --serve',
  ENVVARS: '        EXTRA: "1"',
  INJECTED_FILES: '     injection_files:\n       - path: /etc/app.conf\n         content: "x=1"',
  SECRETS: 'secrets:\n  - name: extra\n    kind: ascii',
  SCONE_CAS_ADDR: 'cas.example',
  CAS_CLIENT_PORT: '8081',
  VAULT_ADDR: 'https://vault.example:8200',
  K8S_HOST: 'https://k8s.example',
  K8S_CA_CERT: 'ca-cert',
  REVIEWER_JWT: 'jwt',
  VAULT_NAME: 'vault',
  VAULT_CLUSTER_ADDR: 'https://vault.example:8201',
  PREDECESSOR: '~',
  NAMESPACE_PREDECESSOR: '~',
  ACCESS_POLICY_PREDECESSOR: '~',
  OTP_POLICY_PREDECESSOR: '~',
  ACCESS_TOKEN_POLICY_PREDECESSOR: '~',
  ATTESTATION_POLICY_PREDECESSOR: '~',
  HOST_ARGUMENTS_POLICY_PREDECESSOR: '~',
  GOVERNANCE_PREDECESSOR: '~',
  FPRINT_POLICY_PREDECESSOR: '~',
  NESTED_ACCESS_TOKEN_POLICY_PREDECESSOR: '~',
  // The governance fragment's `$owner`, `$voter1`... stand for public keys.
  owner: 'owner-key',
  voter1: 'voter1-key',
  voter2: 'voter2-key',
  voter3: 'voter3-key',
  veto_member1: 'veto1-key',
  veto_member2: 'veto2-key',
};

/** Replaces the placeholder styles of other tools, as their own renderers would. */
export function renderForeignPlaceholders(text: string): string {
  return text
    .replaceAll('__ENCLAVE_NAME__', 'etny-enclave')
    .replaceAll('__PREDECESSOR__', '')
    .replaceAll('__MRENCLAVE_VALIDATOR__', 'cd'.repeat(32))
    .replaceAll('__MRENCLAVE__', HEX64)
    .replaceAll('{{ .Values.cas.policy_name }}', 'compat-backup')
    .replaceAll('{{ .Values.cas.mrenclave }}', HEX64)
    .replaceAll('{{ .Values.cas.owner_identity | indent 4 }}', '{"identity": "owner"}');
}
