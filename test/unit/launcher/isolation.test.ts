import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCasError } from '../../../src/errors/cas-error.js';
import { chooseIsolation } from '../../../src/launcher/isolation.js';
import { runInNamespace } from '../../../src/launcher/run-in-namespace.js';

const yes = () => true;
const no = () => false;

test('the isolation is chosen automatically and can be forced; a forced namespace fails closed', () => {
  const cases: Array<[string | undefined, () => boolean, string]> = [
    [undefined, yes, 'namespace'],
    [undefined, no, 'directory'],
    ['auto', yes, 'namespace'],
    ['directory', yes, 'directory'],
    ['Namespace', yes, 'namespace'],
    ['namespace', no, 'CAS_LAUNCHER_ISOLATION_UNAVAILABLE'],
    ['chroot', yes, 'CAS_LAUNCHER_ENV_INVALID'],
  ];
  for (const [value, can, expected] of cases) {
    const env = value === undefined ? {} : { CAS_RUN_ISOLATION: value };
    let got: string;
    try {
      got = chooseIsolation(env, can);
    } catch (error) {
      assert.ok(isCasError(error));
      got = error.code;
    }
    assert.equal(got, expected, `${value}`);
  }
});

test('without a cas-run script to re-run as the helper, no namespace is made and nothing runs', async () => {
  await assert.rejects(
    runInNamespace(
      { program: '/bin/true', args: [], env: {}, cwd: '/' },
      [],
      '/usr/bin/not-the-launcher.ts',
    ),
    (error: unknown) => isCasError(error) && error.code === 'CAS_LAUNCHER_NAMESPACE_FAILED',
  );
});
