import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import { fieldManagerFor, validateFieldManager } from './default-manager.js';

test('the default manager is the User-Agent up to its first slash', () => {
  assert.equal(fieldManagerFor(undefined, 'kubectl/v1.32.2 (linux/amd64) kubernetes/67a30c0'), 'kubectl');
  assert.equal(fieldManagerFor(undefined, 'kubectl'), 'kubectl');
  assert.equal(fieldManagerFor('kubectl-client-side-apply', 'kubectl/v1.35.0'), 'kubectl-client-side-apply');
  assert.equal(fieldManagerFor('', 'argocd-application-controller/v2.13'), 'argocd-application-controller');
  assert.equal(fieldManagerFor(undefined, undefined), '');
  // Unprintable characters are dropped and the result is cut to 128 bytes.
  assert.equal(fieldManagerFor(undefined, 'a\u0007b\tc/1'), 'abc');
  assert.equal(fieldManagerFor(undefined, 'x'.repeat(200)).length, 128);
  assert.equal(Buffer.byteLength(fieldManagerFor(undefined, 'é'.repeat(100))), 128);
});

function rejection(fn: () => void): ApiError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError);
    return e;
  }
  assert.fail('expected an error');
}

test('apply requires a fieldManager, as Kubernetes words it', () => {
  const err = rejection(() => validateFieldManager(undefined, 'apply'));
  assert.equal(err.code, 422);
  assert.equal(err.reason, 'Invalid');
  assert.equal(err.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  assert.deepEqual(err.details, {
    name: '',
    group: 'meta.k8s.io',
    kind: 'PatchOptions',
    causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
  });
  assert.doesNotThrow(() => validateFieldManager(undefined, 'update'));
  assert.doesNotThrow(() => validateFieldManager('kubectl', 'apply'));
});

test('fieldManager must be at most 128 bytes of printable characters', () => {
  const long = rejection(() => validateFieldManager('m'.repeat(129), 'create'));
  assert.match(long.message, /^CreateOptions\.meta\.k8s\.io "" is invalid: fieldManager: Too long/);
  const bell = rejection(() => validateFieldManager('ab\u0007', 'update'));
  assert.equal(bell.details?.causes?.[0].reason, 'FieldValueInvalid');
  assert.match(bell.details?.causes?.[0].message ?? '', /invalid character U\+0007 \(at position 2\)$/);
  assert.doesNotThrow(() => validateFieldManager('m'.repeat(128), 'patch'));
});

test('force is forbidden on non-apply patches', () => {
  const err = rejection(() => validateFieldManager('x', 'patch', true));
  assert.deepEqual(err.details?.causes?.[0], { reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch', field: 'force' });
  assert.doesNotThrow(() => validateFieldManager('x', 'apply', true));
});
