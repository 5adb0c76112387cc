import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AttestationMode, SecretSpec, Session } from '../../../src/policy/types.js';
import { attestationStrictEnough } from '../../../src/secrets/attestation-strict-enough.js';
import {
  canImport,
  type CanImportRequest,
  type ImportDecision,
} from '../../../src/secrets/can-import.js';
import { exportPublicValues } from '../../../src/secrets/export-public-values.js';
import { importedValue } from '../../../src/secrets/imported-value.js';
import { importSecret } from '../../../src/secrets/import-secret.js';
import { requireImport } from '../../../src/secrets/require-import.js';
import { dataOf, generateAll, rejectsWithCode } from './fixtures.js';

const HASH = 'ab'.repeat(32);
const OTHER = 'cd'.repeat(32);

function session(name: string, secrets: SecretSpec[], mode: AttestationMode = 'hardware'): Session {
  return {
    name,
    version: '0.3.10',
    predecessor: null,
    services: [],
    secrets,
    images: [],
    access_policy: {
      read: ['CREATOR'],
      update: ['CREATOR'],
      create_sessions: ['CREATOR'],
      list_sessions: ['CREATOR'],
    },
    security: { attestation: { mode, tolerate: [], ignore_advisories: [] } },
  };
}

const exporter = session('database_operator', [
  {
    name: 'db_key',
    kind: 'private-key',
    export: [{ session: 'database_client' }, { namespace: 'team/a' }],
  },
  {
    name: 'db_cert',
    kind: 'x509',
    private_key: 'db_key',
    export: [{ session: 'database_client' }, { session: 'other' }, { namespace: 'team' }],
  },
  { name: 'own_cert', kind: 'x509', export: [{ session: 'database_client' }] },
  { name: 'pinned', kind: 'ascii', export: [{ session: 'database_client', session_hash: HASH }] },
  {
    name: 'weak_ok',
    kind: 'ascii',
    export: [{ session: 'database_client', allow_weaker_attestation: true }],
  },
  { name: 'private', kind: 'ascii' },
  {
    name: 'reexport',
    kind: 'ascii',
    import: { session: 'x', secret: 'y' },
    export: [{ session: 'database_client' }],
  },
]);

type Expect = ImportDecision extends infer D
  ? D extends { allowed: true }
    ? Omit<D, 'exporterHash' | 'kind'>
    : D
  : never;

const table: [
  string,
  Partial<CanImportRequest> & { importer: CanImportRequest['importer']; secretName: string },
  Expect,
][] = [
  [
    'export by session name',
    { secretName: 'pinned', importer: { name: 'database_client', namespace: null, hash: HASH } },
    { allowed: true, withPrivateKey: false, allowWeakerAttestation: false },
  ],
  [
    'hash pin matches case-insensitively',
    {
      secretName: 'pinned',
      importer: { name: 'database_client', namespace: null, hash: HASH.toUpperCase() },
    },
    { allowed: true, withPrivateKey: false, allowWeakerAttestation: false },
  ],
  [
    'hash pin differs',
    { secretName: 'pinned', importer: { name: 'database_client', namespace: null, hash: OTHER } },
    { allowed: false, reason: 'not-exported' },
  ],
  [
    'hash pin but the importer has no hash yet',
    { secretName: 'pinned', importer: { name: 'database_client', namespace: null } },
    { allowed: false, reason: 'not-exported' },
  ],
  [
    'another session name',
    { secretName: 'db_key', importer: { name: 'intruder', namespace: null } },
    { allowed: false, reason: 'not-exported' },
  ],
  [
    'not exported at all',
    { secretName: 'private', importer: { name: 'database_client', namespace: null } },
    { allowed: false, reason: 'not-exported' },
  ],
  [
    'no such secret',
    { secretName: 'ghost', importer: { name: 'database_client', namespace: null } },
    { allowed: false, reason: 'no-such-secret' },
  ],
  [
    'imports are not re-exported',
    { secretName: 'reexport', importer: { name: 'database_client', namespace: null } },
    { allowed: false, reason: 'secret-is-imported' },
  ],
  [
    'certificate with its exported key',
    { secretName: 'db_cert', importer: { name: 'database_client', namespace: null } },
    { allowed: true, withPrivateKey: true, allowWeakerAttestation: false },
  ],
  [
    'certificate whose key is not exported to this importer',
    { secretName: 'db_cert', importer: { name: 'other', namespace: null } },
    { allowed: true, withPrivateKey: false, allowWeakerAttestation: false },
  ],
  [
    'certificate with a generated key never brings it',
    { secretName: 'own_cert', importer: { name: 'database_client', namespace: null } },
    { allowed: true, withPrivateKey: false, allowWeakerAttestation: false },
  ],
  [
    'namespace export reaches a session in it',
    { secretName: 'db_cert', importer: { name: 'team/b', namespace: 'team' } },
    { allowed: true, withPrivateKey: false, allowWeakerAttestation: false },
  ],
  [
    'namespace export reaches nested sessions',
    { secretName: 'db_cert', importer: { name: 'team/a/c', namespace: 'team/a' } },
    { allowed: true, withPrivateKey: true, allowWeakerAttestation: false },
  ],
  [
    'namespace export reaches NS~x sessions and their children',
    { secretName: 'db_cert', importer: { name: 'team~x/y', namespace: 'team~x' } },
    { allowed: true, withPrivateKey: false, allowWeakerAttestation: false },
  ],
  [
    'namespace export reaches a NS~rest session',
    { secretName: 'db_cert', importer: { name: 'team~x', namespace: 'team' } },
    { allowed: true, withPrivateKey: false, allowWeakerAttestation: false },
  ],
  [
    'namespace export does not reach a prefix look-alike',
    { secretName: 'db_cert', importer: { name: 'teamster/x', namespace: 'teamster' } },
    { allowed: false, reason: 'not-exported' },
  ],
  [
    'namespace export does not reach the namespace session itself',
    { secretName: 'db_cert', importer: { name: 'team', namespace: null } },
    { allowed: false, reason: 'not-exported' },
  ],
  [
    'kind stated by the importer must match',
    {
      secretName: 'db_cert',
      importer: { name: 'database_client', namespace: null },
      expectedKind: 'x509-ca',
    },
    { allowed: false, reason: 'kind-mismatch' },
  ],
  [
    'allow_weaker_attestation is passed on',
    { secretName: 'weak_ok', importer: { name: 'database_client', namespace: null } },
    { allowed: true, withPrivateKey: false, allowWeakerAttestation: true },
  ],
];

for (const [name, req, expected] of table) {
  test(`canImport: ${name}`, () => {
    const decision = canImport({ exporter, exporterHash: OTHER, ...req });
    if (decision.allowed) {
      const { exporterHash, kind, ...rest } = decision;
      assert.equal(exporterHash, OTHER);
      assert.equal(kind, exporter.secrets.find((s) => s.name === req.secretName)!.kind);
      assert.deepEqual(rest, expected);
    } else {
      assert.deepEqual(decision, expected);
    }
  });
}

test('requireImport throws CAS_SECRETS_IMPORT_DENIED with the reason, or returns the decision', async () => {
  const err = await rejectsWithCode(
    () =>
      requireImport({
        exporter,
        exporterHash: HASH,
        secretName: 'private',
        importer: { name: 'database_client', namespace: null },
      }),
    'CAS_SECRETS_IMPORT_DENIED',
    'does not export',
  );
  assert.equal(err.details?.['reason'], 'not-exported');
  assert.equal(
    requireImport({
      exporter,
      exporterHash: HASH,
      secretName: 'db_cert',
      importer: { name: 'database_client', namespace: null },
    }).withPrivateKey,
    true,
  );
});

test('attestationStrictEnough: hardware > simulation > none unless the export allows weaker', () => {
  const modes: AttestationMode[] = ['hardware', 'simulation', 'none'];
  const expected: Record<string, boolean> = {
    'hardware>hardware': true,
    'hardware>simulation': false,
    'hardware>none': false,
    'simulation>hardware': true,
    'simulation>simulation': true,
    'simulation>none': false,
    'none>hardware': true,
    'none>simulation': true,
    'none>none': true,
  };
  for (const e of modes) {
    for (const i of modes) {
      assert.equal(
        attestationStrictEnough(e, i, false),
        expected[`${e}>${i}`],
        `${e} exporter, ${i} importer`,
      );
      assert.equal(attestationStrictEnough(e, i, true), true);
    }
  }
});

test('exportPublicValues: only export_public secrets; certificates without keys; private keys never', async () => {
  const specs: SecretSpec[] = [
    { name: 'pw', kind: 'ascii', value: 'public-pw', export_public: true },
    { name: 'hidden', kind: 'ascii', value: 'hidden-pw' },
    { name: 'bin', kind: 'binary', value: '00ff', export_public: true },
    { name: 'key', kind: 'private-key', export_public: true },
    { name: 'pub', kind: 'public-key', private_key: 'key', export_public: true },
    { name: 'ca', kind: 'x509-ca' },
    { name: 'cert', kind: 'x509', issuer: 'ca', export_public: true },
    { name: 'frag', kind: 'config-fragment', value: { list: [1] }, export_public: true },
    {
      name: 'unresolved',
      kind: 'ascii',
      import: { session: 'x', secret: 'y' },
      export_public: true,
    },
  ];
  const values = await generateAll(specs);
  const out = exportPublicValues(session('s', specs), values);
  const cert = dataOf(values.get('cert'), 'x509');
  assert.deepEqual(out, [
    { name: 'pw', kind: 'ascii', value: 'public-pw' },
    { name: 'bin', kind: 'binary', value: '00ff' },
    { name: 'pub', kind: 'public-key', value: dataOf(values.get('pub'), 'public-key').spki_pem },
    {
      name: 'cert',
      kind: 'x509',
      value: {
        certificate: cert.certificate_pem,
        chain: [dataOf(values.get('ca'), 'x509-ca').certificate_pem],
      },
    },
    { name: 'frag', kind: 'config-fragment', value: { list: [1] } },
  ]);
  assert.ok(!JSON.stringify(out).includes('PRIVATE KEY'));
});

test('importedValue strips a certificate key unless it comes along, and marks values imported', async () => {
  const values = await generateAll([
    { name: 'c', kind: 'x509' },
    { name: 'p', kind: 'ascii' },
  ]);
  const c = values.get('c')!;
  assert.equal(dataOf(importedValue(c, false), 'x509').private_key_pem, undefined);
  assert.equal(
    dataOf(importedValue(c, true), 'x509').private_key_pem,
    dataOf(c, 'x509').private_key_pem,
  );
  assert.equal(importedValue(values.get('p')!, false).origin, 'imported');
  assert.equal(
    dataOf(importedValue(values.get('p')!, false), 'ascii').text,
    dataOf(values.get('p'), 'ascii').text,
  );
});

test('importSecret returns the value as the importer may see it, or why not', async () => {
  const exporterValues = await generateAll(exporter.secrets.filter((s) => s.import === undefined));
  const base = { exporter, exporterHash: HASH, exporterValues };
  const withKey = importSecret({
    ...base,
    secretName: 'db_cert',
    importer: { name: 'database_client', namespace: null },
  });
  assert.ok('value' in withKey);
  assert.equal(
    dataOf(withKey.value, 'x509').private_key_pem,
    dataOf(exporterValues.get('db_cert'), 'x509').private_key_pem,
  );
  assert.equal(withKey.value.origin, 'imported');
  const keyless = importSecret({
    ...base,
    secretName: 'db_cert',
    importer: { name: 'other', namespace: null },
  });
  assert.ok('value' in keyless);
  assert.equal(dataOf(keyless.value, 'x509').private_key_pem, undefined);
  assert.deepEqual(
    importSecret({
      ...base,
      secretName: 'private',
      importer: { name: 'database_client', namespace: null },
    }),
    {
      refused: 'not-exported',
    },
  );
  assert.deepEqual(
    importSecret({
      ...base,
      exporterValues: new Map(),
      secretName: 'weak_ok',
      importer: { name: 'database_client', namespace: null },
    }),
    { refused: 'no-value' },
  );
});
