import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinByKind } from '../builtin/resource-table.js';
import type { KubeObject, ResourceType } from '../objects.js';
import { canonicalJson, jsonEquivalent, pruneFields, pruneStatusFields, specChanged, validateObject, validateStatusUpdate } from './type-strategy.js';

function type(group: string, kind: string): ResourceType {
  const t = builtinByKind(group, kind);
  assert.ok(t, `${group}/${kind}`);
  return t;
}

/** canonicalJson as it was written before the direct serializer: a sorting replacer. */
function referenceCanonical(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort()) sorted[key] = (value as Record<string, unknown>)[key];
      return sorted;
    }
    return value;
  });
}

const SAMPLES: unknown[] = [
  null,
  0,
  -0,
  1.5,
  'a "quoted" \u2028 string',
  false,
  [],
  {},
  { b: 1, a: { d: [3, 2, 1], c: null } },
  { a: { d: [3, 2, 1], c: null }, b: 1 },
  { z: undefined, y: () => 1, x: [undefined, Number.NaN, Number.NEGATIVE_INFINITY, () => 2] },
  { x: [null, null, null, null] },
  { 10: 'ten', 9: 'nine', b: 'bee' },
  { when: new Date(Date.UTC(2024, 0, 2)) },
  { when: '2024-01-02T00:00:00.000Z' },
  { nested: { toJSON: () => 'flat' } },
  { nested: 'flat' },
  Object.assign(Object.create(null) as object, { k: 'v' }),
  { k: 'v' },
  { k: 'w' },
  [1, [2, [3]]],
  [1, [2, [4]]],
];

test('canonicalJson writes exactly what the sorting replacer wrote', () => {
  for (const v of SAMPLES) assert.equal(canonicalJson(v), referenceCanonical(v), referenceCanonical(v));
  assert.equal(canonicalJson(undefined), undefined);
  assert.throws(() => canonicalJson({ n: 1n }), TypeError);
});

test('jsonEquivalent agrees with comparing canonical JSON, for every pair', () => {
  for (const a of SAMPLES) {
    for (const b of SAMPLES) {
      assert.equal(jsonEquivalent(a, b), referenceCanonical(a) === referenceCanonical(b), `${referenceCanonical(a)} vs ${referenceCanonical(b)}`);
    }
  }
});

test('jsonEquivalent ignores key order and absent-vs-undefined, and sees one changed leaf deep down', () => {
  const a = { spec: { containers: [{ name: 'a', image: 'x', env: undefined }] }, meta: { b: 1, a: 2 } };
  const b = { meta: { a: 2, b: 1 }, spec: { containers: [{ image: 'x', name: 'a' }] } };
  assert.equal(jsonEquivalent(a, b), true);
  assert.equal(jsonEquivalent(a, { ...b, spec: { containers: [{ image: 'y', name: 'a' }] } }), false);
  assert.equal(jsonEquivalent({ a: 1 }, { a: 1, b: null }), false, 'null is a value');
  assert.equal(jsonEquivalent([1, 2], [2, 1]), false, 'list order matters');
});

test('specChanged looks at everything but metadata, status, apiVersion and kind', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { a: 1 }, status: { phase: 'Running' } } as KubeObject;
  assert.equal(specChanged(pod, { ...pod, metadata: { name: 'p', labels: { x: 'y' } }, status: {} }), false);
  assert.equal(specChanged(pod, { ...pod, spec: { a: 2 } }), true);
  assert.equal(specChanged(pod, { ...pod, extra: true } as KubeObject), true);
});

test('pruneStatusFields prunes and reports status only, as pruneFields reports it', () => {
  const pods = type('', 'Pod');
  const pod = (): KubeObject =>
    ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'i' }] },
      status: { phase: 'Running', bogus: 1, containerStatuses: [{ name: 'c', ready: true, alsoBogus: 'x' }] },
    }) as KubeObject;
  const whole = pruneFields(pods, pod());
  const status = pruneStatusFields(pods, pod());
  assert.deepEqual(status.pruned, ['status.bogus', 'status.containerStatuses[0].alsoBogus']);
  assert.deepEqual(status.pruned, whole.pruned);
  assert.deepEqual(status.obj, whole.obj);
  // Everything outside status is the stored object's, already pruned: it is not walked.
  const withSpecJunk = (): KubeObject => ({ ...pod(), spec: { containers: [{ name: 'c', image: 'i', junk: 1 }] } }) as KubeObject;
  assert.deepEqual(pruneStatusFields(pods, withSpecJunk()).pruned, ['status.bogus', 'status.containerStatuses[0].alsoBogus']);
  assert.deepEqual(pruneFields(pods, withSpecJunk()).pruned, ['spec.containers[0].junk', 'status.bogus', 'status.containerStatuses[0].alsoBogus']);
});

test('validateStatusUpdate checks metadata like a full update and skips the spec rules', () => {
  const pods = type('', 'Pod');
  const old = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'u1', labels: { ok: 'yes' } },
    spec: { containers: [{ name: 'c', image: 'i', imagePullPolicy: 'Always', terminationMessagePolicy: 'File' }], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' },
  } as KubeObject;
  const next = { ...old, status: { phase: 'Running' } } as KubeObject;
  assert.deepEqual(validateStatusUpdate(pods, next, old), []);
  const badMeta = { ...next, metadata: { ...old.metadata, name: 'other', labels: { 'bad key!': 'v' } } } as KubeObject;
  const causes = validateStatusUpdate(pods, badMeta, old);
  const full = validateObject(pods, badMeta, old).filter((c) => !c.field?.startsWith('spec'));
  assert.deepEqual(causes, full);
  assert.ok(causes.some((c) => c.field === 'metadata.name' && c.message.includes('field is immutable')), JSON.stringify(causes));
  assert.ok(causes.some((c) => c.field === 'metadata.labels'), JSON.stringify(causes));
});

test('validateObject reports each metadata problem once, in the order it always had', () => {
  const pods = type('', 'Pod');
  const old = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', generation: 2 }, spec: { containers: [] } } as KubeObject;
  const next = { ...old, metadata: { name: 'q', namespace: 'default', generation: 1, labels: { 'a b': 'c' }, finalizers: ['bad/finalizer/name'] } } as KubeObject;
  const causes = validateObject(pods, next, old);
  const keys = causes.map((c) => `${c.field}: ${c.message}`);
  assert.equal(new Set(keys).size, keys.length, keys.join('\n'));
  const fields = causes.map((c) => c.field);
  // Create-style metadata checks first, then the update's own (immutability, generation), then the kind's.
  assert.ok(fields.indexOf('metadata.labels') < fields.indexOf('metadata.generation'), fields.join(', '));
  assert.ok(fields.indexOf('metadata.name') >= 0 && fields.indexOf('metadata.generation') < fields.indexOf('spec.containers'), fields.join(', '));
});
