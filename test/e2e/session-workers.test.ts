import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createCasClient } from '../../src/client/cas-client.js';
import { generateIdentity } from '../../src/crypto/identity.js';
import { isCasError } from '../../src/errors/cas-error.js';
import { runBin } from '../helpers/bin.js';
import {
  envMeasurement,
  ok,
  putShowSession,
  runEnv,
  startProvisionedCas,
  type ProvisionedCas,
} from '../helpers/provisioned-cas.js';
import { simulationSession } from '../helpers/session-text.js';

// `[api] session_workers = 2`: session files are parsed and their secrets made in two threads.
// What users see (sessions, imports, provisioning, refusals) must be as without them.

describe('a CAS with session workers', () => {
  let p: ProvisionedCas | undefined;
  let envHash: string;
  before(async () => {
    // The hello sessions (an exporter and an importer) are created through the threads.
    p = await startProvisionedCas('session_workers = 2\n');
    envHash = await envMeasurement();
  });
  after(async () => {
    await p?.close();
  });

  test('the CAS says it runs them, and a workload gets what the threads made', async () => {
    assert.match(p!.cas.output(), /"session_workers":2/);
    const r = ok(
      await runBin('cas-run', [p!.program], {
        env: { ...p!.launch, SCONE_CONFIG_ID: 'hello-demo/hello' },
      }),
      'cas-run',
    );
    assert.match(r.stdout, /GREETING=Hello from the CAS/);
    assert.match(r.stdout, /file server.key mode=600 /);
  });

  test('an update keeps a generated value and is seen by the next provisioning', async () => {
    const show = (setting: string): string =>
      simulationSession('show', { environment: { SETTING: setting } });
    await putShowSession(p!, 'create', show('one'), envHash);
    const first = await runEnv(p!, 'show/show');
    await putShowSession(p!, 'update', show('two'), envHash);
    const second = await runEnv(p!, 'show/show');
    assert.equal(second['SETTING'], 'two');
    assert.equal(first['PW']?.length, 24);
    assert.equal(second['PW'], first['PW'], 'an ascii secret is kept across the update');
  });

  test('a session with an unknown key is refused by the thread with the code and the key named', async () => {
    // Uploaded directly: the CLI would refuse it before sending.
    const client = createCasClient({
      address: /CAS client API: https:\/\/(\S+)\//.exec(p!.cas.stdout())![1]!,
      identity: await generateIdentity(),
    });
    const refusal = await client
      .call('POST', '/session', { text: `${simulationSession('bad')}colour: red\n` })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(isCasError(refusal) && refusal.code === 'CAS_POLICY_INVALID', String(refusal));
    assert.match(JSON.stringify(refusal.details), /CAS_POLICY_UNKNOWN_KEY.*colour/);
  });
});
