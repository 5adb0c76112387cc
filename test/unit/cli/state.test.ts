import assert from 'node:assert/strict';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  loadState,
  saveState,
  stateFilePath,
  stateIdentity,
  withPinnedCas,
} from '../../../src/cli/state.js';
import { generateIdentity } from '../../../src/crypto/identity.js';
import { CasError } from '../../../src/errors/cas-error.js';
import { casChain, pinnedCas } from './certs.js';
import { cli } from './fake-io.js';
import { tempDir } from '../../helpers/temp-dir.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CasError, String(error));
    return error.code;
  }
  assert.fail('expected a CasError');
}

const noWarn = (message: string): never => assert.fail(`unexpected warning: ${message}`);

test('the state path is --config, else $SCONE_CLI_CONFIG, else ~/.cas/config.json', () => {
  const env = { SCONE_CLI_CONFIG: '/env/c.json' };
  assert.equal(stateFilePath({ config: '/flag.json', env, homedir: '/h' }), '/flag.json');
  assert.equal(stateFilePath({ env, homedir: '/h' }), '/env/c.json');
  assert.equal(stateFilePath({ env: {}, homedir: '/h' }), '/h/.cas/config.json');
  assert.equal(
    stateFilePath({ env: { SCONE_CLI_CONFIG: '' }, homedir: '/h' }),
    '/h/.cas/config.json',
  );
});

test('first use creates the file 0600 in a 0700 directory, with a valid identity', async (t) => {
  const path = join(tempDir(t), 'new', 'config.json');
  const first = await loadState(path, noWarn);
  assert.equal(first.created, true);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(path, '..')).mode & 0o777, 0o700);
  const second = await loadState(path, noWarn);
  assert.equal(second.created, false);
  assert.equal(stateIdentity(second).keyHash, stateIdentity(first).keyHash);
  assert.deepEqual(second.state.cas_db, {});
});

test('concurrent first uses agree on one identity', async (t) => {
  const path = join(tempDir(t), 'config.json');
  const runs = await Promise.all([1, 2, 3].map(() => loadState(path, noWarn)));
  const hashes = new Set(runs.map((r) => stateIdentity(r).keyHash));
  const stored = stateIdentity(await loadState(path, noWarn)).keyHash;
  assert.equal(runs.filter((r) => r.created).length, 1);
  assert.deepEqual([...hashes], [stored]);
});

test('saveState writes atomically with mode 0600 and keeps unknown keys', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'config.json');
  const id = await generateIdentity();
  writeFileSync(
    path,
    JSON.stringify({
      identity: id.toPem(),
      session_signing_keypair_ed25519_seed: 'seed',
      cas_db: {},
    }),
    { mode: 0o600 },
  );
  const loaded = await loadState(path, noWarn);
  const entry = await pinnedCas('cas.example');
  await saveState(path, withPinnedCas(loaded.state, 'mycas', entry));
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const again = await loadState(path, noWarn);
  assert.equal(again.state['session_signing_keypair_ed25519_seed'], 'seed');
  assert.equal(again.state.default_cas, 'mycas');
  assert.deepEqual(again.state.cas_db['mycas'], entry);
  const second = withPinnedCas(again.state, 'other', await pinnedCas('other.example'));
  assert.equal(second.default_cas, 'mycas', 'only the first pinned CAS becomes the default');
});

test('a SCONE-written entry (url and chain only) gets its key hashes from the chain', async (t) => {
  const path = join(tempDir(t), 'config.json');
  const full = await pinnedCas('cas.example');
  const id = await generateIdentity();
  const scone = { url: 'https://cas.example:8081/', chain: full.chain, ias_report: { body: '{}' } };
  writeFileSync(
    path,
    JSON.stringify({ identity: id.toPem(), default_cas: 'x', cas_db: { x: scone } }),
    {
      mode: 0o600,
    },
  );
  const entry = (await loadState(path, noWarn)).state.cas_db['x']!;
  assert.equal(entry.cas_key_hash, full.cas_key_hash);
  assert.equal(entry.software_key_hash, full.software_key_hash);
  assert.equal(entry.address, 'cas.example');
  assert.deepEqual(entry.relaxations, []);
  assert.deepEqual(entry['ias_report'], { body: '{}' });
});

test('a corrupt or unusable state file is refused with a code and left byte-identical', async (t) => {
  const dir = tempDir(t);
  const id = await generateIdentity();
  const other = await generateIdentity();
  const entry = await pinnedCas('cas.example');
  const foreign = await casChain();
  const cases: { name: string; text: string }[] = [
    { name: 'not JSON', text: `{"identity": "${id.keyPem().replaceAll('\n', '\\n')}` },
    { name: 'empty', text: '' },
    { name: 'array', text: '[]' },
    { name: 'no identity', text: '{"cas_db": {}}' },
    { name: 'identity not a string', text: '{"identity": 5}' },
    {
      name: 'default not pinned',
      text: JSON.stringify({ identity: id.toPem(), default_cas: 'x' }),
    },
    {
      name: 'software key hash edited',
      text: JSON.stringify({
        identity: id.toPem(),
        cas_db: { x: { ...entry, software_key_hash: entry.cas_key_hash } },
      }),
    },
    {
      name: 'chain not signed by the CAS certificate',
      text: JSON.stringify({
        identity: id.toPem(),
        cas_db: { x: { url: entry.url, chain: `${entry.chain}${foreign.casPem}` } },
      }),
    },
    {
      name: 'chain of one certificate',
      text: JSON.stringify({
        identity: id.toPem(),
        cas_db: { x: { url: entry.url, chain: foreign.casPem } },
      }),
    },
    {
      name: 'url not https',
      text: JSON.stringify({
        identity: id.toPem(),
        cas_db: { x: { ...entry, url: 'http://x:8081/' } },
      }),
    },
  ];
  for (const [i, c] of cases.entries()) {
    const path = join(dir, `corrupt-${i}.json`);
    writeFileSync(path, c.text, { mode: 0o600 });
    assert.equal(await codeOf(loadState(path, noWarn)), 'CAS_CLI_STATE_CORRUPT', c.name);
    assert.equal(readFileSync(path, 'utf8'), c.text, `${c.name}: file unchanged`);
  }
  // The not-JSON file holds key material: the error must not quote it.
  const path = join(dir, 'corrupt-0.json');
  const run = await cli(['self', 'show'], { env: { SCONE_CLI_CONFIG: path } });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /CAS_CLI_STATE_CORRUPT/);
  assert.ok(!run.stderr.includes(id.keyPem().split('\n')[1]!));
  assert.equal(readFileSync(path, 'utf8'), cases[0]!.text);
  // A mismatched identity in the state file is refused when the identity is used.
  const mismatched = join(dir, 'mismatch.json');
  const text = JSON.stringify({ identity: id.keyPem() + other.certPem });
  writeFileSync(mismatched, text, { mode: 0o600 });
  const bad = await cli(['self', 'show-key-hash'], { env: { SCONE_CLI_CONFIG: mismatched } });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /\(CAS_CLI_STATE_CORRUPT\)\nCaused by: .*\(CAS_CLI_IDENTITY_MISMATCH\)/);
  assert.equal(readFileSync(mismatched, 'utf8'), text);
});

test('an unreadable state file is refused and not replaced', async (t) => {
  const dir = tempDir(t);
  const asDir = join(dir, 'is-a-dir.json');
  mkdirSync(asDir);
  assert.equal(await codeOf(loadState(asDir, noWarn)), 'CAS_CLI_STATE_UNREADABLE');
  assert.ok(statSync(asDir).isDirectory());
  const run = await cli(['self', 'show'], { env: { SCONE_CLI_CONFIG: asDir } });
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /^Error: cannot read the CLI state file .*\(CAS_CLI_STATE_UNREADABLE\)\nCaused by: /,
  );
});

test('a state file that cannot be created is a coded error', async (t) => {
  // /proc accepts no new files, even from root (these tests may run as root).
  if (process.platform !== 'linux') return t.skip('skipped: needs /proc (Linux)');
  const path = '/proc/self/scone-config.json';
  assert.equal(await codeOf(loadState(path, noWarn)), 'CAS_CLI_STATE_WRITE_FAILED');
  const run = await cli(['self', 'show'], { env: { SCONE_CLI_CONFIG: path } });
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /^Error: cannot write the CLI state file .*\(CAS_CLI_STATE_WRITE_FAILED\)\nCaused by: /,
  );
});

test('a state file readable by others loads with a warning', async (t) => {
  const path = join(tempDir(t), 'config.json');
  await loadState(path, noWarn);
  chmodSync(path, 0o644);
  const warnings: string[] = [];
  await loadState(path, (m) => warnings.push(m));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /mode 0644; run: chmod 600/);
  const run = await cli(['self', 'show-key-hash'], { env: { SCONE_CLI_CONFIG: path } });
  assert.equal(run.code, 0);
  assert.match(run.stderr, /^Warning: the CLI state file .* mode 0644/);
});

test('--config FILE wins over $SCONE_CLI_CONFIG', async (t) => {
  const dir = tempDir(t);
  const a = join(dir, 'a.json');
  const b = join(dir, 'b.json');
  const viaFlag = await cli(['--config', a, 'self', 'show-key-hash'], {
    env: { SCONE_CLI_CONFIG: b },
  });
  const viaEnv = await cli(['self', 'show-key-hash'], { env: { SCONE_CLI_CONFIG: b } });
  const flagAgain = await cli(['self', 'show-key-hash', '--config', a]);
  assert.notEqual(viaFlag.stdout, viaEnv.stdout);
  assert.equal(flagAgain.stdout, viaFlag.stdout);
  const home = await cli(['self', 'show-key-hash'], { home: dir });
  assert.equal(home.code, 0);
  assert.equal(statSync(join(dir, '.cas', 'config.json')).mode & 0o777, 0o600);
});

test('saving through a symlinked state file updates its target and keeps the link', async (t) => {
  const dir = tempDir(t);
  const real = join(dir, 'real.json');
  const link = join(dir, 'link.json');
  await loadState(real, noWarn);
  symlinkSync(real, link);
  const loaded = await loadState(link, noWarn);
  await saveState(link, withPinnedCas(loaded.state, 'c', await pinnedCas('c.example')));
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.equal((await loadState(real, noWarn)).state.default_cas, 'c');
  assert.equal(statSync(real).mode & 0o777, 0o600);
});
