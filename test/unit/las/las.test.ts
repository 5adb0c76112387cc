import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { simVerifier } from '../../../src/attestation/sim/sim-verifier.js';
import { isCasError } from '../../../src/errors/cas-error.js';
import { PLATFORM_KEY_FILE } from '../../../src/las/platform-key.js';
import { runLas, type RunningLas } from '../../../src/las/run-las.js';
import { isLoopbackHost, parseHostPort } from '../../../src/launcher/host-port.js';

async function withLas(fn: (las: RunningLas, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'las-test-'));
  const lines: string[] = [];
  const las = await runLas(
    ['--listen', '127.0.0.1:0', '--state-dir', join(dir, 'state')],
    (l) => lines.push(l),
    () => undefined,
  );
  try {
    assert.ok(lines.includes(`LAS platform id: ${las.platformId}`));
    await fn(las, dir);
  } finally {
    await las.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function post(las: RunningLas, body: unknown): Promise<Response> {
  return fetch(`http://127.0.0.1:${las.address.port}/v1/sim/report`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

test('the LAS measures the named program and signs a verifiable sim report', async () => {
  await withLas(async (las, dir) => {
    const program = join(dir, 'prog.sh');
    await writeFile(program, '#!/bin/sh\necho hi\n', { mode: 0o755 });
    const reportData = randomBytes(64);
    const res = await post(las, { report_data: reportData.toString('hex'), program });
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      evidence: string;
      measurement: string;
      platform_id: string;
    };
    const expected = createHash('sha256').update('#!/bin/sh\necho hi\n').digest('hex');
    assert.equal(body.measurement, expected);
    assert.equal(body.platform_id, las.platformId);
    const claims = await simVerifier.verify({
      evidence: Buffer.from(body.evidence, 'base64'),
      collateral: undefined,
      now: new Date(),
      expectedReportData: reportData,
    });
    assert.equal(claims.measurements['mrenclave'], expected);
    assert.equal(claims.extra['platform_id'], las.platformId);

    const platform = (await (
      await fetch(`http://127.0.0.1:${las.address.port}/v1/platform`)
    ).json()) as { platform_id: string; simulation: boolean };
    assert.deepEqual(platform, { platform_id: las.platformId, type: 'sim', simulation: true });
  });
});

test('the LAS signs a measurement the caller supplies', async () => {
  await withLas(async (las) => {
    const res = await post(las, { report_data: '00'.repeat(64), measurement: 'AB'.repeat(32) });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { measurement: string }).measurement, 'ab'.repeat(32));
  });
});

test('the LAS refuses malformed requests with coded errors', async () => {
  await withLas(async (las, dir) => {
    const rd = '00'.repeat(64);
    const cases: Array<[unknown, number, string]> = [
      ['not json', 400, 'CAS_LAS_BAD_REQUEST'],
      [{ report_data: 'ab', measurement: 'ab'.repeat(32) }, 400, 'CAS_LAS_BAD_REQUEST'],
      [{ report_data: rd }, 400, 'CAS_LAS_BAD_REQUEST'],
      [
        { report_data: rd, measurement: 'ab'.repeat(32), program: '/bin/sh' },
        400,
        'CAS_LAS_BAD_REQUEST',
      ],
      [{ report_data: rd, program: 'relative/path' }, 400, 'CAS_LAS_BAD_REQUEST'],
      [{ report_data: rd, measurement: 'ab'.repeat(32), extra: 1 }, 400, 'CAS_LAS_BAD_REQUEST'],
      [{ report_data: rd, program: join(dir, 'missing') }, 400, 'CAS_LAUNCHER_PROGRAM_NOT_FOUND'],
      ['x'.repeat(20_000), 400, 'CAS_LAS_BAD_REQUEST'],
    ];
    for (const [body, status, code] of cases) {
      const res = await post(las, body).catch(() => null);
      if (res === null) continue; // the LAS may cut an oversized upload short
      assert.equal(res.status, status, JSON.stringify(body).slice(0, 80));
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, code);
    }
    const missing = await fetch(`http://127.0.0.1:${las.address.port}/nope`);
    assert.equal(missing.status, 404);
    assert.equal(
      ((await missing.json()) as { error: { code: string } }).error.code,
      'CAS_LAS_NOT_FOUND',
    );
  });
});

test('the platform key persists with mode 0600 and is refused when readable by others', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'las-key-'));
  try {
    const first = await runLas(
      ['--listen', '127.0.0.1:0', '--state-dir', dir],
      () => undefined,
      () => undefined,
    );
    await first.close();
    assert.equal((await stat(join(dir, PLATFORM_KEY_FILE))).mode & 0o777, 0o600);
    const second = await runLas(
      ['--listen', '127.0.0.1:0', '--state-dir', dir],
      () => undefined,
      () => undefined,
    );
    await second.close();
    assert.equal(second.platformId, first.platformId);
    await chmod(join(dir, PLATFORM_KEY_FILE), 0o644);
    await assert.rejects(
      runLas(
        ['--listen', '127.0.0.1:0', '--state-dir', dir],
        () => undefined,
        () => undefined,
      ),
      (e: unknown) => isCasError(e) && e.code === 'CAS_LAS_STATE_DIR',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bad --listen values and unknown flags are refused', async () => {
  for (const argv of [['--listen', 'nope:99999'], ['--listen', ':1'], ['--bogus']]) {
    await assert.rejects(
      runLas(
        argv,
        () => undefined,
        () => undefined,
      ),
      (e: unknown) => isCasError(e) && e.code === 'CAS_LAS_LISTEN_INVALID',
    );
  }
});

test('host[:port] parsing and loopback detection', () => {
  assert.deepEqual(parseHostPort('cas', 18765), { host: 'cas', port: 18765 });
  assert.deepEqual(parseHostPort('10.0.0.1:443', 18765), { host: '10.0.0.1', port: 443 });
  assert.deepEqual(parseHostPort('[::1]:8', 1), { host: '::1', port: 8 });
  for (const bad of ['', 'a b', 'host:', 'host:70000', 'http://x']) {
    assert.equal(parseHostPort(bad, 1), null, bad);
  }
  assert.ok(isLoopbackHost('127.0.0.1') && isLoopbackHost('::1') && isLoopbackHost('localhost'));
  assert.ok(!isLoopbackHost('0.0.0.0') && !isLoopbackHost('10.0.0.1'));
});
