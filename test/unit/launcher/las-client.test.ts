import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { isCasError } from '../../../src/errors/cas-error.js';
import { requestSimEvidence } from '../../../src/launcher/las-client.js';

let server: Server;
let port: number;
let answer: { status: number; body: string } = { status: 200, body: '{}' };
let seen: unknown;

before(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      seen = JSON.parse(text);
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const las = () => ({ host: '127.0.0.1', port });
const refused = (pattern: RegExp) => (e: unknown) =>
  isCasError(e) && e.code === 'CAS_LAUNCHER_LAS_UNREACHABLE' && pattern.test(e.message);

test('the report data and the program go to the LAS; its evidence comes back as sim evidence', async () => {
  answer = {
    status: 200,
    body: JSON.stringify({ evidence: 'ZXY=', measurement: 'ab'.repeat(32) }),
  };
  const evidence = await requestSimEvidence(las(), '/bin/app', Buffer.from([1, 2, 255]));
  assert.deepEqual(seen, { report_data: '0102ff', program: '/bin/app' });
  assert.deepEqual(evidence, { type: 'sim', data: 'ZXY=', measurement: 'ab'.repeat(32) });
});

test("a LAS refusal is reported with the LAS's own code and reason", async () => {
  answer = {
    status: 400,
    body: JSON.stringify({
      error: { code: 'CAS_LAS_BAD_REQUEST', message: 'program is not a readable file' },
    }),
  };
  await assert.rejects(
    requestSimEvidence(las(), '/nope', Buffer.alloc(64)),
    refused(/program is not a readable file \(CAS_LAS_BAD_REQUEST\)/),
  );
});

test('an answer without evidence, or not JSON, is a refusal with its status', async () => {
  answer = { status: 200, body: '{"measurement": "x"}' };
  await assert.rejects(
    requestSimEvidence(las(), '/bin/app', Buffer.alloc(64)),
    refused(/status 200/),
  );
  answer = { status: 502, body: '<html>bad gateway</html>' };
  await assert.rejects(
    requestSimEvidence(las(), '/bin/app', Buffer.alloc(64)),
    refused(/status 502/),
  );
});

test('a LAS that is not there is unreachable, and says how to start one', async () => {
  await assert.rejects(
    requestSimEvidence({ host: '127.0.0.1', port: 1 }, '/bin/app', Buffer.alloc(64)),
    refused(/start one with: las/),
  );
});
