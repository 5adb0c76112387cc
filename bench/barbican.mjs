// The Barbican peer, set up as ../shared/reference/perf-baselines.md §4 describes: Debian's
// barbican-api under uWSGI (1 process x 1 thread, the only correct configuration on SQLite),
// noauth paste pipeline, SQLite, simple_crypto with a fresh KEK, everything in a temp dir.
/* global fetch, setTimeout */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function installed(pkg) {
  try {
    const out = execFileSync('dpkg-query', ['-W', '-f=${Status} ${Version}', pkg], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
    return out.startsWith('install ok installed') ? out.split(' ').pop() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts Barbican on 127.0.0.1 (a free port) with its state in `dir`. Returns `{ url, version,
 * stop }`, or `{ skip }` with one line saying why it cannot run here.
 */
export async function startBarbican(dir, log) {
  const version = installed('barbican-api');
  const paste = '/usr/share/barbican-common/barbican-api-paste.ini';
  if (version === undefined || !existsSync(paste)) {
    return {
      skip: "Debian's barbican-api is not installed (apt-get install barbican-api uwsgi-core uwsgi-plugin-python3)",
    };
  }
  if (installed('uwsgi-plugin-python3') === undefined) {
    return {
      skip: 'uwsgi-plugin-python3 is not installed (apt-get install uwsgi-core uwsgi-plugin-python3)',
    };
  }
  mkdirSync(dir, { recursive: true });
  const port = 20000 + Math.floor(Math.random() * 20000);
  const kek = randomBytes(32).toString('base64url') + '=';
  writeFileSync(
    join(dir, 'barbican.conf'),
    `[DEFAULT]
host_href = http://127.0.0.1:${port}
sql_connection = sqlite:///${join(dir, 'barbican.sqlite')}
db_auto_create = True
debug = False
log_file = ${join(dir, 'barbican.log')}

[secretstore]
enabled_secretstore_plugins = store_crypto

[crypto]
enabled_crypto_plugins = simple_crypto

[simple_crypto_plugin]
kek = ${kek}

[keystone_notifications]
enable = False
`,
  );
  writeFileSync(
    join(dir, 'barbican-api-paste.ini'),
    readFileSync(paste, 'utf8').replace(/^\/v1: barbican-api-keystone/m, '/v1: barbican_api'),
  );
  writeFileSync(
    join(dir, 'wsgi.py'),
    `import os
from barbican.common import config
config.CONF(args=['--config-file', ${JSON.stringify(join(dir, 'barbican.conf'))}], project='barbican', prog='barbican')
from paste import deploy
application = deploy.loadapp('config:' + ${JSON.stringify(join(dir, 'barbican-api-paste.ini'))})
`,
  );
  const out = openSync(join(dir, 'uwsgi.log'), 'a');
  const child = spawn(
    'uwsgi',
    [
      '--plugins',
      'python3',
      '--http-socket',
      `127.0.0.1:${port}`,
      '--wsgi-file',
      join(dir, 'wsgi.py'),
      '--master',
      '--processes',
      '1',
      '--threads',
      '1',
      '--lazy-apps',
      '--enable-threads',
      '--die-on-term',
      '--disable-logging',
    ],
    { cwd: dir, stdio: ['ignore', out, out] },
  );
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) break;
    try {
      const r = await fetch(`${url}/`, { headers: { accept: 'application/json' } });
      await r.text();
      if (r.status < 500) {
        log(`barbican ${version} on ${url} (uWSGI pid ${child.pid})`);
        return { url, version, pid: child.pid, stop };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  stop();
  const tail = readFileSync(join(dir, 'uwsgi.log'), 'utf8').split('\n').slice(-5).join(' | ');
  return { skip: `Barbican did not answer within 60 s (uwsgi log: ${tail})` };
}
