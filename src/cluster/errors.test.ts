import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invalid, fieldError, notFound } from './errors.js';

test('invalid() names every bad field in the message and in causes', () => {
  const err = invalid('Deployment', 'web', [fieldError.required('spec.selector'), fieldError.invalid('metadata.name', 'Bad_Name', 'must be lowercase')], 'apps');
  assert.equal(err.code, 422);
  assert.match(err.message, /^Deployment\.apps "web" is invalid: spec\.selector: Required value, metadata\.name: Invalid value: "Bad_Name"/);
  assert.deepEqual(err.details?.causes?.map((c) => c.field), ['spec.selector', 'metadata.name']);
});

test('notFound() reads like the Kubernetes API server', () => {
  const err = notFound('deployments.apps', 'web', 'apps');
  assert.equal(err.code, 404);
  assert.equal(err.message, 'deployments.apps "web" not found');
});
