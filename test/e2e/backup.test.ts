import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runBin } from '../helpers/bin.js';
import { lastField, startDaemon, stopDaemon } from '../helpers/daemon.js';
import { freePort } from '../helpers/free-port.js';
import { noneSession } from '../helpers/session-text.js';

const SESSION = noneSession('shop');

/** A CAS folder: its own state dir, database folder and config on a fixed port. */
async function casDir(root: string, name: string): Promise<{ dir: string; addr: string }> {
  const dir = join(root, name);
  mkdirSync(join(dir, 'db'), { recursive: true });
  const addr = `127.0.0.1:${await freePort()}`;
  writeFileSync(
    join(dir, 'cas.toml'),
    `[database]\npath = "db/cas.db"\n[api]\napi_listen = "${addr}"\nenclave_listen = "127.0.0.1:0"\n[snapshots]\ndir = "snapshots"\n`,
  );
  return { dir, addr };
}

function copyDatabase(from: string, to: string): void {
  for (const f of ['cas.db', 'cas.key-store']) {
    copyFileSync(join(from, 'db', f), join(to, 'db', f));
  }
}

describe('backup registration through the real binaries', () => {
  let root: string;
  const running: ChildProcess[] = [];
  const alice = (): NodeJS.ProcessEnv => ({ SCONE_CLI_CONFIG: join(root, 'alice.json') });
  const bob = (): NodeJS.ProcessEnv => ({ SCONE_CLI_CONFIG: join(root, 'bob.json') });
  const start = async (dir: string) => {
    const d = await startDaemon('cas', [], dir, 'CAS enclave API:');
    running.push(d.child);
    return d;
  };
  let primary: { dir: string; addr: string };
  let backup: { dir: string; addr: string };
  let stranger: { dir: string; addr: string };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'cas-backup-e2e-'));
    primary = await casDir(root, 'primary');
    backup = await casDir(root, 'backup');
    stranger = await casDir(root, 'stranger');
    writeFileSync(
      join(root, 'owner.toml'),
      '[api_identity]\ncommon_name = "cas"\nalt_names = ["localhost", "127.0.0.1"]\n',
    );
    writeFileSync(join(root, 'session.yaml'), SESSION);
  });
  after(async () => {
    for (const child of running) await stopDaemon(child);
    rmSync(root, { recursive: true, force: true });
  });

  test('a registered backup started on a copy of the database serves the sessions; an unregistered CAS refuses it', async () => {
    const p = await start(primary.dir);
    const token = lastField(p.stdout(), 'CAS provisioning token:');
    const keyHash = lastField(p.stdout(), 'CAS key hash:');
    const prov = await runBin(
      'scone',
      [
        'cas',
        'provision',
        primary.addr,
        '-c',
        keyHash,
        '--token',
        token,
        '--config-file',
        join(root, 'owner.toml'),
        'with-attestation',
        '--only_for_testing-debug',
      ],
      { env: alice() },
    );
    assert.equal(prov.code, 0, prov.stderr);
    const created = await runBin('scone', ['session', 'create', join(root, 'session.yaml')], {
      env: alice(),
    });
    assert.equal(created.code, 0, created.stderr);

    // The backup and a stranger: fresh CASes of the same build, each with its own state dir.
    const b = await start(backup.dir);
    const backupKeyHash = lastField(b.stdout(), 'CAS key hash:');
    const s = await start(stranger.dir);

    const withoutFlag = await runBin('scone', ['cas', 'register-backup', backup.addr], {
      env: alice(),
    });
    assert.equal(withoutFlag.code, 3, withoutFlag.stderr);
    assert.ok(withoutFlag.stderr.includes('CAS_BACKUP_ATTESTATION_FAILED'), withoutFlag.stderr);

    await runBin('scone', ['cas', 'attest', primary.addr, '--only_for_testing-debug'], {
      env: bob(),
    });
    const notOwner = await runBin(
      'scone',
      ['cas', 'register-backup', backup.addr, '--only_for_testing-debug'],
      { env: bob() },
    );
    assert.equal(notOwner.code, 3, notOwner.stderr);
    assert.ok(notOwner.stderr.includes('CAS_SERVER_NOT_OWNER'), notOwner.stderr);

    const unreachable = await runBin(
      'scone',
      ['cas', 'register-backup', `127.0.0.1:${await freePort()}`, '--only_for_testing-debug'],
      { env: alice() },
    );
    assert.equal(unreachable.code, 4, unreachable.stderr);
    assert.ok(unreachable.stderr.includes('CAS_BACKUP_UNREACHABLE'), unreachable.stderr);

    const live = await runBin('scone', ['cas', 'snapshot'], { env: alice() });
    assert.equal(live.code, 0, live.stderr);
    assert.match(live.stdout, /snapshots\/cas-snapshot-\d{8}T\d{6}Z/);
    const notOwnerSnapshot = await runBin('scone', ['cas', 'snapshot'], { env: bob() });
    assert.ok(notOwnerSnapshot.stderr.includes('CAS_SERVER_NOT_OWNER'), notOwnerSnapshot.stderr);

    const reg = await runBin(
      'scone',
      ['cas', 'register-backup', backup.addr, '--only_for_testing-debug'],
      { env: alice() },
    );
    assert.equal(reg.code, 0, reg.stderr + p.output().slice(-3000) + b.output().slice(-2000));
    assert.ok(reg.stdout.includes(backupKeyHash), reg.stdout);

    // The primary still holds its database: a second CAS on the same file is refused.
    for (const child of [b.child, s.child]) {
      await stopDaemon(child);
    }
    const locked = await runBin('cas', ['-c', join(primary.dir, 'cas.toml')]);
    assert.notEqual(locked.code, 0);
    assert.ok(locked.stderr.includes('CAS_STORE_LOCKED'), locked.stderr);

    await stopDaemon(p.child);
    const snap = await runBin('cas', [
      '-c',
      join(primary.dir, 'cas.toml'),
      'snapshot',
      '--dir',
      join(root, 'snaps'),
    ]);
    assert.equal(snap.code, 0, snap.stderr);
    const folder = lastField(snap.stdout, 'Snapshot written to');
    assert.deepEqual(readdirSync(folder).sort(), ['cas.db', 'cas.key-store', 'snapshot.json']);
    copyDatabase(primary.dir, backup.dir);
    copyDatabase(primary.dir, stranger.dir);

    const refused = await runBin('cas', ['-c', join(stranger.dir, 'cas.toml')]);
    assert.notEqual(refused.code, 0);
    assert.ok(refused.stderr.includes('CAS_STORE_UNSEALABLE'), refused.stderr);

    // A key store edited by hand: the backup's entry now claims another injected flag.
    const keyStorePath = join(backup.dir, 'db', 'cas.key-store');
    const good = readFileSync(keyStorePath, 'utf8');
    const doc = JSON.parse(good) as { entries: Array<{ instance: string; injected: boolean }> };
    for (const e of doc.entries) if (e.instance === backupKeyHash) e.injected = !e.injected;
    writeFileSync(keyStorePath, JSON.stringify(doc));
    const tampered = await runBin('cas', ['-c', join(backup.dir, 'cas.toml')]);
    assert.notEqual(tampered.code, 0);
    assert.ok(tampered.stderr.includes('CAS_STORE_KEYSTORE_TAMPERED'), tampered.stderr);
    writeFileSync(keyStorePath, good);

    await start(backup.dir);
    const attest = await runBin(
      'scone',
      ['cas', 'attest', backup.addr, '--only_for_testing-debug', '--name', 'backup'],
      { env: alice() },
    );
    assert.equal(attest.code, 0, attest.stderr);
    const read = await runBin('scone', ['session', 'read', 'shop', '--cas', 'backup'], {
      env: alice(),
    });
    assert.equal(read.code, 0, read.stderr);
    assert.match(read.stdout, /name: shop/);
  });
});
