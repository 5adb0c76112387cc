import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateIdentity } from '../../src/crypto/identity.js';
import { workloadBinding } from '../../src/crypto/workload-binding.js';
import { isCasError } from '../../src/errors/cas-error.js';
import { openEnclaveConnection } from '../../src/launcher/enclave-client.js';
import { parseHostPort } from '../../src/launcher/host-port.js';
import { defaultTmpfsRoot } from '../../src/launcher/injection-files.js';
import { requestSimEvidence } from '../../src/launcher/las-client.js';
import { runBin, type RunResult } from '../helpers/bin.js';
import { startDaemon, stopDaemon, type Daemon } from '../helpers/daemon.js';
import { freePort } from '../helpers/free-port.js';

// The story of docs/cas-run.md as a new user lives it: start a CAS and a LAS, provision, create
// the example session with the mrenclave from `cas-run --hash`, run the unmodified program under
// cas-run, and see what is refused.

const HELLO = join(process.cwd(), 'examples', 'hello');
function field(text: string, prefix: string): string {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  assert.ok(line, `no "${prefix}" line in:\n${text}`);
  return line.trim().split(/\s+/).pop()!;
}

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r;
}

function passwordHash(r: RunResult): string {
  return /DB_PASSWORD sha256=([0-9a-f]{64})/.exec(r.stdout)?.[1] ?? 'none';
}

const REVEAL = `name: reveal
version: "0.3.10"
security:
  attestation:
    mode: simulation
services:
  - name: show
    command: env
    environment:
      PW: $$SCONE::pw$$
    attestation:
      - mrenclave: [$ENV]
secrets:
  - name: pw
    kind: ascii
    size: 20
`;

describe('provisioning a workload with cas-run, as a new user would', () => {
  let dir: string;
  let cas: Daemon | undefined;
  let las: Daemon | undefined;
  let program: string;
  let runDir: string;
  let launch: NodeJS.ProcessEnv;
  let cli: NodeJS.ProcessEnv;
  let mrenclave: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cas-prov-'));
    cli = { SCONE_CLI_CONFIG: join(dir, 'cli.json') };
    const api = `127.0.0.1:${await freePort()}`;
    writeFileSync(
      join(dir, 'cas.toml'),
      `[api]\napi_listen = "${api}"\nenclave_listen = "127.0.0.1:0"\n`,
    );
    writeFileSync(
      join(dir, 'owner.toml'),
      '[api_identity]\ncommon_name = "cas"\nalt_names = ["localhost", "127.0.0.1"]\n',
    );
    cas = await startDaemon('cas', ['-c', 'cas.toml'], dir, /CAS enclave API:.*\n/);
    las = await startDaemon(
      'las',
      ['--listen', '127.0.0.1:0', '--state-dir', 'las'],
      dir,
      /LAS listening on .*\n/,
    );
    const casKeyHash = field(cas.stdout(), 'CAS key hash:');
    ok(
      await runBin(
        'scone',
        [
          'cas',
          'provision',
          api,
          '-c',
          casKeyHash,
          '--token',
          field(cas.stdout(), 'CAS provisioning token:'),
          '--config-file',
          join(dir, 'owner.toml'),
          'with-attestation',
          '--only_for_testing-debug',
        ],
        { env: cli },
      ),
      'provision',
    );
    program = join(dir, 'hello');
    copyFileSync(join(HELLO, 'hello.sh'), program);
    mrenclave = ok(await runBin('cas-run', ['--hash', program]), 'hash').stdout.trim();
    assert.match(mrenclave, /^[0-9a-f]{64}$/);
    runDir = join(dir, 'run');
    const vars = [
      '-e',
      'SESSION=hello-demo',
      '-e',
      'IMPORTER=hello-demo-importer',
      '-e',
      `MRENCLAVE=${mrenclave}`,
      '-e',
      `PLATFORM_ID=${field(las.stdout(), 'LAS platform id:')}`,
      '-e',
      `CONFIG_DIR=${runDir}`,
    ];
    for (const file of ['session.yaml', 'importer.yaml']) {
      ok(
        await runBin('scone', ['session', 'create', join(HELLO, file), ...vars], { env: cli }),
        file,
      );
    }
    launch = {
      SCONE_CAS_ADDR: field(cas.stdout(), 'CAS enclave API:'),
      SCONE_LAS_ADDR: field(las.stdout(), 'LAS listening on'),
      SCONE_MODE: 'sim',
      SCONE_CAS_KEY_HASH: casKeyHash,
    };
  });

  after(async () => {
    if (cas !== undefined) await stopDaemon(cas.child);
    if (las !== undefined) await stopDaemon(las.child);
    rmSync(dir, { recursive: true, force: true });
  });

  const hashes: string[] = [];

  test('the program receives the session argv, env, pwd and injection files; they are gone afterwards', async () => {
    const r = ok(
      await runBin('cas-run', [program], {
        env: { ...launch, SCONE_CONFIG_ID: 'hello-demo/hello' },
      }),
      'cas-run',
    );
    assert.match(r.stdout, /hello: argv: .* --greeting-from-the-session argument one/);
    assert.match(r.stdout, /hello: pwd: \/\n/);
    assert.match(r.stdout, /GREETING=Hello from the CAS/);
    assert.match(r.stdout, /HOME is <not set: the host environment was discarded>/);
    assert.match(r.stdout, /file app.conf mode=600 /);
    assert.match(r.stdout, /file server.key mode=600 /);
    assert.match(r.stdout, /file ca.crt mode=644 /);
    assert.doesNotMatch(r.stderr, /WARNING: neither/);
    // Either mechanism of amendment 8 keeps the four files in memory: a private mount
    // namespace where cas-run may make one, else a private tmpfs directory.
    if (defaultTmpfsRoot() !== null) {
      assert.match(
        r.stderr,
        /4 injection file\(s\) on a tmpfs in a private mount namespace|wrote 4 injection file\(s\), 4 of them in a private tmpfs directory/,
      );
    }
    assert.match(r.stderr, /attested .* for hello-demo\/hello/);
    if (spawnSync('openssl', ['version']).status === 0) {
      assert.match(r.stdout, /openssl verify: .*server.crt: OK/);
    }
    assert.ok(!existsSync(runDir), 'the injection files and their directory are removed');
    hashes.push(passwordHash(r));
  });

  test('the generated password is the same across runs and in the session that imports it', async () => {
    const again = ok(
      await runBin('cas-run', [program], {
        env: { ...launch, SCONE_CONFIG_ID: 'hello-demo/hello' },
      }),
      'again',
    );
    const imported = ok(
      await runBin('cas-run', [program], {
        env: { ...launch, SCONE_CONFIG_ID: 'hello-demo-importer/hello' },
      }),
      'importer',
    );
    assert.match(hashes[0]!, /^[0-9a-f]{64}$/);
    assert.equal(passwordHash(again), hashes[0]);
    assert.equal(passwordHash(imported), hashes[0]);
  });

  test('a config id for a missing session or service is refused and nothing runs', async () => {
    for (const configId of ['no-such-session/hello', 'hello-demo/no-such-service']) {
      const r = await runBin('cas-run', [program], {
        env: { ...launch, SCONE_CONFIG_ID: configId },
      });
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.includes('CAS_SESSION_UNKNOWN_OR_DENIED'), r.stderr);
      assert.doesNotMatch(r.stdout, /hello:/);
    }
  });

  test('evidence replayed on a second connection is refused', async () => {
    const casAddr = parseHostPort(launch['SCONE_CAS_ADDR']!, 18765)!;
    const lasAddr = parseHostPort(launch['SCONE_LAS_ADDR']!, 18766)!;
    const a = await generateIdentity();
    const b = await generateIdentity();
    const first = await openEnclaveConnection(
      casAddr,
      { keyPem: a.keyPem(), certPem: a.certPem },
      {},
    );
    const second = await openEnclaveConnection(
      casAddr,
      { keyPem: b.keyPem(), certPem: b.certPem },
      {},
    );
    try {
      const nonce = await first.challenge();
      const spki = a.certificate.publicKey.export({ type: 'spki', format: 'der' });
      const evidence = await requestSimEvidence(lasAddr, program, workloadBinding(nonce, spki));
      const own = await second.challenge();
      await assert.rejects(
        second.attest({
          config_id: 'hello-demo/hello',
          nonce: own.toString('hex'),
          evidence: { type: 'sim', data: evidence.data },
        }),
        (e: unknown) => isCasError(e) && e.code === 'CAS_ATTESTATION_REFUSED',
      );
      // The legitimate connection still gets its configuration with the same evidence.
      const config = await first.attest({
        config_id: 'hello-demo/hello',
        nonce: nonce.toString('hex'),
        evidence: { type: 'sim', data: evidence.data },
      });
      assert.equal(config.service, 'hello');
    } finally {
      await first.close();
      await second.close();
    }
  });

  test('the same program changed by one byte is refused with the measurement the CAS saw', async () => {
    appendFileSync(program, '#');
    const changed = ok(await runBin('cas-run', ['--hash', program]), 'hash').stdout.trim();
    assert.notEqual(changed, mrenclave);
    const r = await runBin('cas-run', [program], {
      env: { ...launch, SCONE_CONFIG_ID: 'hello-demo/hello' },
    });
    assert.equal(r.code, 3, r.stderr);
    assert.ok(r.stderr.includes('CAS_ATTESTATION_REFUSED'), r.stderr);
    assert.ok(r.stderr.includes(`mrenclave=${changed}`), r.stderr);
    assert.ok(!r.stderr.includes(mrenclave), 'the expected measurement is not revealed');
    assert.doesNotMatch(r.stdout, /hello:/);
    assert.ok(!existsSync(runDir));
    assert.match(cas!.output(), /attestation_refused/);
  });

  test('scone session read and the CAS log show no secret value', async () => {
    const envHash = ok(await runBin('cas-run', ['--hash', 'env']), 'hash env').stdout.trim();
    writeFileSync(join(dir, 'reveal.yaml'), REVEAL);
    ok(
      await runBin(
        'scone',
        ['session', 'create', join(dir, 'reveal.yaml'), '-e', `ENV=${envHash}`],
        {
          env: cli,
        },
      ),
      'reveal',
    );
    const r = ok(
      await runBin('cas-run', ['env'], { env: { ...launch, SCONE_CONFIG_ID: 'reveal/show' } }),
      'show',
    );
    const pw = /^PW=(.*)$/m.exec(r.stdout)?.[1];
    assert.ok(pw !== undefined && pw.length === 20, r.stdout);
    const read = ok(await runBin('scone', ['session', 'read', 'reveal'], { env: cli }), 'read');
    assert.ok(!read.stdout.includes(pw), 'session read shows no secret value');
    const readHello = ok(
      await runBin('scone', ['session', 'read', 'hello-demo'], { env: cli }),
      'read hello',
    );
    assert.doesNotMatch(readHello.stdout, /PRIVATE KEY/);
    assert.ok(!cas!.output().includes(pw), 'the CAS log has no secret value');
    assert.match(cas!.output(), /service_attested/);
  });
});
