import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  backupEvidence,
  compareVersions,
  verifyBackupEvidence,
  type BackupPolicy,
} from '../../../src/core/backup/backup-evidence.js';
import { registerBackup } from '../../../src/core/backup/register-backup.js';
import { trustedCases } from '../../../src/core/backup/trusted-cas.js';
import { readAuditCheckpoint } from '../../../src/core/read-audit-checkpoint.js';
import { snapshotNow } from '../../../src/core/snapshot/snapshot-now.js';
import { selfProvision } from '../../../src/core/provisioning/provision-cas.js';
import { generateIdentity } from '../../../src/crypto/identity.js';
import { keyHashOfCertificate } from '../../../src/crypto/key-hash.js';
import { isCasError } from '../../../src/errors/cas-error.js';
import { startTestCas } from '../../integration/helpers/cas-harness.js';
import { simulationCasKeys } from '../../helpers/simulation-cas-keys.js';

const keys = await simulationCasKeys('ab'.repeat(32));
const wrapKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const policy: BackupPolicy = {
  measurement: 'ab'.repeat(32),
  version: '1.2.0',
  allowSimulation: true,
};
const facts = { measurement: 'ab'.repeat(32), version: '1.2.0' };

const refused = (fn: () => unknown, pattern: RegExp): void =>
  assert.throws(
    fn,
    (e: unknown) =>
      isCasError(e) && e.code === 'CAS_BACKUP_ATTESTATION_FAILED' && pattern.test(e.message),
  );

describe('backup evidence (cas-backup-v1)', () => {
  test('evidence of the same build, bound to the nonce and the wrap key, is accepted', () => {
    const nonce = randomBytes(32);
    const peer = verifyBackupEvidence(backupEvidence(keys, facts, wrapKey, nonce), nonce, policy);
    assert.equal(peer.casKeyHash, keys.casKeyHash);
  });

  const nonce = randomBytes(32);
  const good = backupEvidence(keys, facts, wrapKey, nonce);
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['another nonce', () => verifyBackupEvidence(good, randomBytes(32), policy), /bound/],
    [
      'another build',
      () => verifyBackupEvidence(good, nonce, { ...policy, measurement: 'cd'.repeat(32) }),
      /another CAS build/,
    ],
    [
      'an older release',
      () => verifyBackupEvidence(good, nonce, { ...policy, version: '1.10.0' }),
      /older release/,
    ],
    [
      'simulation without the test flag',
      () => verifyBackupEvidence(good, nonce, { ...policy, allowSimulation: false }),
      /simulation/,
    ],
    [
      'a wrap key swapped after signing',
      () =>
        verifyBackupEvidence(
          {
            ...good,
            backup_key: generateKeyPairSync('ec', { namedCurve: 'P-256' })
              .publicKey.export({ type: 'spki', format: 'der' })
              .toString('base64'),
          },
          nonce,
          policy,
        ),
      /bound/,
    ],
    [
      'a certificate of another CAS',
      () =>
        verifyBackupEvidence(
          {
            ...good,
            cas_certificate:
              keys.chainPem.split('-----END CERTIFICATE-----')[0] + '-----END CERTIFICATE-----',
          },
          nonce,
          policy,
        ),
      /not signed by its CAS key/,
    ],
    [
      'garbage',
      () =>
        verifyBackupEvidence(
          { evidence: 'x', backup_key: '', cas_certificate: '', version: '1' },
          nonce,
          policy,
        ),
      /does not parse/,
    ],
    ['nothing', () => verifyBackupEvidence(null, nonce, policy), /no evidence/],
  ];
  for (const [what, fn, pattern] of cases) test(`refused: ${what}`, () => refused(fn, pattern));

  test('versions compare numerically', () => {
    assert.equal(compareVersions('0.10.0', '0.9.9'), 1);
    assert.equal(compareVersions('1.2', '1.2.0'), 0);
    assert.equal(compareVersions('1.2.0', '1.3.0'), -1);
  });

  test('trusted primaries: only a remembered certificate verifies key-store signatures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trusted-'));
    const trusted = trustedCases(dir);
    const message = Buffer.from('entry');
    const signature = await keys.signWithCasKey(message);
    assert.equal(trusted.verify(message, signature, keys.casKeyHash), false);
    trusted.add(keys.casCertPem);
    assert.equal(trusted.verify(message, signature, keys.casKeyHash), true);
    assert.equal(trusted.verify(Buffer.from('edited'), signature, keys.casKeyHash), false);
  });

  test('a CAS without backup support or audit log answers with coded errors', async () => {
    const cas = await startTestCas();
    try {
      const identity = await generateIdentity();
      const owner = { keyHash: keyHashOfCertificate(identity.certPem), certPem: identity.certPem };
      await assert.rejects(
        registerBackup(cas.rt, undefined, owner, { address: '127.0.0.1:1', allowSimulation: true }),
        (e: unknown) => isCasError(e) && e.code === 'CAS_SERVER_NOT_PROVISIONED',
      );
      await selfProvision(cas.rt, {
        ownerCertPem: identity.certPem,
        ownerConfig: '[audit_log]\nmode = "disabled"\n',
        ownerConfigFile: 'owner.toml',
        skipIfAlreadyProvisioned: false,
      });
      await assert.rejects(
        registerBackup(cas.rt, undefined, owner, { address: '127.0.0.1:1', allowSimulation: true }),
        (e: unknown) => isCasError(e) && e.code === 'CAS_BACKUP_NOT_AVAILABLE',
      );
      await assert.rejects(
        readAuditCheckpoint(cas.rt, owner),
        (e: unknown) => isCasError(e) && e.code === 'CAS_AUDIT_NO_CHECKPOINT',
      );
      await assert.rejects(
        snapshotNow(cas.rt, undefined, owner),
        (e: unknown) => isCasError(e) && e.code === 'CAS_BACKUP_SNAPSHOT_NOT_CONFIGURED',
      );
    } finally {
      await cas.stop();
    }
  });
});
