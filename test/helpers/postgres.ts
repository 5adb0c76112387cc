// Starts a throwaway PostgreSQL cluster for tests (initdb + pg_ctl in a temporary directory,
// on a free loopback port), or explains in one line why it cannot.
import { execFile, spawnSync } from 'node:child_process';
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** A running test cluster. */
export interface TestPostgres {
  /** Superuser URL of the `postgres` database. */
  readonly url: string;
  /** The cluster's data directory (tests scan its files for plaintext). */
  readonly dataDir: string;
  /** Creates an empty database; `drop` removes it. */
  createDatabase(): Promise<{ readonly url: string; drop(): Promise<void> }>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/** Why no cluster could be started: exactly the line the tests print. */
export interface NoPostgres {
  readonly skipped: string;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first directory holding both initdb and pg_ctl. */
function findBinDir(): string | null {
  const versioned = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin`)
    : [];
  const candidates = [
    process.env['CAS_TEST_PG_BIN'],
    '/usr/local/bin',
    ...versioned,
    ...(process.env['PATH'] ?? '').split(delimiter),
  ].filter((d): d is string => d !== undefined && d !== '');
  return (
    candidates.find((d) => executable(join(d, 'initdb')) && executable(join(d, 'pg_ctl'))) ?? null
  );
}

/** initdb refuses root: as root, the cluster runs as `nobody` through runuser or setpriv. */
function unprivileged(): { prefix: string[]; uid: number; gid: number } | null | 'none-needed' {
  if (process.getuid?.() !== 0) return 'none-needed';
  const id = (flag: string) => spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' });
  const uid = Number(id('-u').stdout.trim());
  const gid = Number(id('-g').stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) return null;
  for (const runuser of ['/usr/sbin/runuser', '/sbin/runuser']) {
    if (executable(runuser)) return { prefix: [runuser, '-u', 'nobody', '--'], uid, gid };
  }
  if (executable('/usr/bin/setpriv')) {
    return {
      prefix: ['/usr/bin/setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'],
      uid,
      gid,
    };
  }
  return null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Starts a cluster (unless `CAS_TEST_POSTGRES=0`), or returns the reason it cannot (no binaries, no way to drop root, initdb
 * or the server failing). The caller prints `skipped` once and skips its PostgreSQL tests.
 */
export async function startTestPostgres(): Promise<TestPostgres | NoPostgres> {
  const skip = (reason: string): NoPostgres => ({ skipped: `skipped: no PostgreSQL (${reason})` });
  if (process.env['CAS_TEST_POSTGRES'] === '0') return skip('disabled by CAS_TEST_POSTGRES=0');
  const bin = findBinDir();
  if (bin === null) return skip('initdb and pg_ctl not found; set CAS_TEST_PG_BIN');
  const user = unprivileged();
  if (user === null)
    return skip('running as root and neither runuser nor setpriv can drop to nobody');
  const as = user === 'none-needed' ? [] : user.prefix;
  const dir = mkdtempSync(join(tmpdir(), 'cas-pg-'));
  if (user !== 'none-needed') chownSync(dir, user.uid, user.gid);
  const dataDir = join(dir, 'data');
  const pgCtl = (...args: string[]) => {
    const [command, ...rest] = [...as, join(bin, 'pg_ctl'), '-D', dataDir, ...args];
    return run(command!, rest, { cwd: dir, timeout: 60_000 });
  };
  const cleanup = () => {
    const [command, ...rest] = [
      ...as,
      join(bin, 'pg_ctl'),
      '-D',
      dataDir,
      '-m',
      'immediate',
      'stop',
    ];
    spawnSync(command, rest, { cwd: dir, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [command, ...rest] = [
      ...as,
      join(bin, 'initdb'),
      '-D',
      dataDir,
      '-A',
      'trust',
      '-U',
      'cas',
      '-E',
      'UTF8',
      '--no-sync',
    ];
    await run(command, rest, { cwd: dir, timeout: 60_000 });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return skip(`initdb failed: ${firstLine(error)}`);
  }
  const port = await freePort();
  try {
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=60`;
    await pgCtl('-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start');
  } catch (error) {
    cleanup();
    return skip(`the server did not start: ${firstLine(error)}`);
  }
  // A test process that dies without calling stop() must not leave a server running.
  process.once('exit', cleanup);
  const url = `postgres://cas@127.0.0.1:${port}/postgres`;
  let counter = 0;
  return {
    url,
    dataDir,
    async createDatabase() {
      counter += 1;
      const name = `cas_test_${process.pid}_${counter}`;
      await admin(url, `CREATE DATABASE ${name}`);
      return {
        url: `postgres://cas@127.0.0.1:${port}/${name}`,
        drop: () => admin(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      };
    },
    async stop() {
      process.removeListener('exit', cleanup);
      await pgCtl('-m', 'immediate', '-w', 'stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  const text = typeof stderr === 'string' && stderr.trim() !== '' ? stderr : String(error);
  return text.trim().split('\n')[0] ?? 'unknown error';
}
