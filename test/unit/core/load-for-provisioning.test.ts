import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { CasRuntime } from '../../../src/core/cas-runtime.js';
import type { Caller } from '../../../src/core/caller.js';
import { createSession } from '../../../src/core/sessions/create-session.js';
import { loadForProvisioning } from '../../../src/core/sessions/load-for-provisioning.js';
import { renderForProvisioning } from '../../../src/core/sessions/render-for-provisioning.js';
import { generateIdentity } from '../../../src/crypto/identity.js';
import { provisionedRuntime } from './provisioned-runtime.js';

function exporter(mode: string, exportTo: string): string {
  return `version: "0.3.10"
name: exp-${mode}-${exportTo.replace(/[^a-z]/g, '')}
security:
  attestation:
    mode: ${mode}
services: []
secrets:
  - name: shared
    kind: ascii
    size: 10
    export:
${exportTo}
`;
}

function importer(name: string, from: string, mode = 'none'): string {
  return `version: "0.3.10"
name: ${name}
security:
  attestation:
    mode: ${mode}
services:
  - name: app
    command: /bin/app $$SCONE::shared$$
${mode === 'none' ? '' : '    mrenclaves: ["' + 'ab'.repeat(32) + '"]\n'}secrets:
  - name: shared
    kind: ascii
    import:
      session: ${from}
      secret: shared
`;
}

describe('loading a session for provisioning', () => {
  let rt: CasRuntime;
  let alice: Caller;
  before(async () => {
    rt = await provisionedRuntime();
    const id = await generateIdentity();
    alice = { keyHash: id.keyHash, certPem: id.certPem };
  });

  test('an absent session is null', async () => {
    assert.equal(await loadForProvisioning(rt.store(), 'nothing'), null);
  });

  const cases: Array<{ name: string; exportTo: string; importerName: string; shared: boolean }> = [
    {
      name: 'exported by name',
      exportTo: '      - session: imp-a',
      importerName: 'imp-a',
      shared: true,
    },
    {
      name: 'exported to another session',
      exportTo: '      - session: someone-else',
      importerName: 'imp-b',
      shared: false,
    },
    {
      name: 'pinned to another hash',
      exportTo: `      - session: imp-c\n        session_hash: ${'cd'.repeat(32)}`,
      importerName: 'imp-c',
      shared: false,
    },
  ];
  for (const c of cases) {
    test(`imports: ${c.name} → ${c.shared ? 'resolved' : 'absent'}`, async () => {
      const exp = exporter('none', c.exportTo);
      await createSession(rt, alice, exp);
      const from = /name: (\S+)/.exec(exp)![1]!;
      await createSession(rt, alice, importer(c.importerName, from));
      const loaded = await loadForProvisioning(rt.store(), c.importerName);
      assert.ok(loaded);
      assert.equal(loaded.values.has('shared'), c.shared);
      assert.equal(loaded.imports.has('shared'), c.shared);
    });
  }

  test('exported to a namespace reaches the sessions inside it', async () => {
    await createSession(
      rt,
      alice,
      `version: "0.3.10"\nname: team\nsecurity:\n  attestation:\n    mode: none\nservices: []\n`,
    );
    const exp = exporter('none', '      - namespace: team');
    await createSession(rt, alice, exp);
    await createSession(rt, alice, importer('team/app', /name: (\S+)/.exec(exp)![1]!));
    const loaded = await loadForProvisioning(rt.store(), 'team/app');
    assert.equal(loaded?.values.has('shared'), true);
  });

  test('amendment 6: a secret exported by a hardware session is withheld from a weaker one', async () => {
    const exp = exporter('hardware', '      - session: weak');
    await createSession(rt, alice, exp);
    await createSession(rt, alice, importer('weak', /name: (\S+)/.exec(exp)![1]!, 'simulation'));
    const loaded = await loadForProvisioning(rt.store(), 'weak');
    assert.ok(loaded);
    assert.equal(loaded.imports.get('shared')?.mode, 'hardware');
    assert.throws(() => renderForProvisioning(loaded.session, 'app', loaded), /shared/);
    const allowed = exporter(
      'hardware',
      '      - session: weak2\n        allow_weaker_attestation: true',
    );
    await createSession(rt, alice, allowed);
    await createSession(
      rt,
      alice,
      importer('weak2', /name: (\S+)/.exec(allowed)![1]!, 'simulation'),
    );
    const ok = await loadForProvisioning(rt.store(), 'weak2');
    const rendered = renderForProvisioning(ok!.session, 'app', ok!);
    assert.equal(rendered.argv[1]!.length, 10);
  });
});
