import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fits } from './scheduler.js';

const labels = { 'kubernetes.io/hostname': 'argosy', 'kubernetes.io/os': 'linux', tier: '2' };

test('nodeSelector must match every label', () => {
  assert.equal(fits({ nodeSelector: { 'kubernetes.io/os': 'linux' } }, labels), true);
  assert.equal(fits({ nodeSelector: { 'kubernetes.io/os': 'windows' } }, labels), false);
  assert.equal(fits({ nodeSelector: { disk: 'ssd' } }, labels), false);
});

test('required node affinity: terms are ORed, expressions ANDed', () => {
  const affinity = (terms: { key: string; operator: string; values?: string[] }[][]) => ({
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms.map((matchExpressions) => ({ matchExpressions })) } } },
  });
  assert.equal(fits(affinity([[{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }]]), labels), true);
  assert.equal(fits(affinity([[{ key: 'kubernetes.io/os', operator: 'NotIn', values: ['linux'] }]]), labels), false);
  assert.equal(fits(affinity([[{ key: 'gpu', operator: 'Exists' }], [{ key: 'tier', operator: 'Gt', values: ['1'] }]]), labels), true);
  assert.equal(fits(affinity([[{ key: 'tier', operator: 'Lt', values: ['1'] }, { key: 'gpu', operator: 'DoesNotExist' }]]), labels), false);
  assert.equal(fits(affinity([[{ key: 'x', operator: 'Bogus' }]]), labels), false);
});
