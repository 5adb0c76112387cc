import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CasError, isCasError } from '../../src/errors/cas-error.js';

test('CasError carries its code, status, exit code and wire body', () => {
  const err = new CasError('CAS_NOT_IMPLEMENTED', 'not yet', { details: { what: 'x' } });
  assert.equal(err.code, 'CAS_NOT_IMPLEMENTED');
  assert.equal(err.status, 501);
  assert.equal(err.exitCode, 1);
  assert.deepEqual(err.toBody(), {
    error: { code: 'CAS_NOT_IMPLEMENTED', message: 'not yet', details: { what: 'x' } },
  });
  assert.ok(isCasError(err));
  assert.ok(!isCasError(new Error('plain')));
});
