import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject, StructuralSchema } from '../objects.js';
import { schemaPatchMeta } from './schema-patch-meta.js';
import { applyStrategicMergePatch } from './strategic-merge.js';

/** A small CRD schema exercising every list and map marker. */
const schema: StructuralSchema = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        routes: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['host', 'port'],
          items: {
            type: 'object',
            properties: {
              host: { type: 'string' },
              port: { type: 'integer' },
              filters: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
              backend: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { name: { type: 'string' } } },
            },
          },
        },
        tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        args: { type: 'array', 'x-kubernetes-list-type': 'atomic', items: { type: 'string' } },
        plain: { type: 'array', items: { type: 'string' } },
        selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
        pools: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            properties: {
              members: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id'], items: { type: 'object' } },
            },
          },
        },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
    status: {
      type: 'object',
      properties: {
        conditions: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['type'],
          items: { type: 'object', properties: { type: { type: 'string' }, status: { type: 'string' } } },
        },
      },
    },
  },
};

const meta = schemaPatchMeta(schema);
const list = (dotted: string) => meta.list(dotted.split('.'));

test('x-kubernetes-list-type map becomes a merge list keyed by its list-map-keys', () => {
  assert.deepEqual(list('spec.routes'), { listType: 'map', keys: ['host', 'port'], patchStrategy: 'merge' });
  assert.deepEqual(list('status.conditions'), { listType: 'map', keys: ['type'], patchStrategy: 'merge' });
});

test('sets merge, declared atomic lists replace, and undeclared lists are atomic', () => {
  assert.deepEqual(list('spec.tags'), { listType: 'set', patchStrategy: 'merge' });
  assert.deepEqual(list('spec.args'), { listType: 'atomic', patchStrategy: 'replace' });
  assert.equal(list('spec.plain'), undefined);
  assert.equal(list('spec.nothing.here'), undefined);
});

test('list items contribute no path element, so nested lists resolve through their parent list', () => {
  assert.deepEqual(list('spec.routes.filters'), { listType: 'set', patchStrategy: 'merge' });
});

test('additionalProperties is followed for any map key', () => {
  assert.deepEqual(list('spec.pools.blue.members'), { listType: 'map', keys: ['id'], patchStrategy: 'merge' });
  assert.deepEqual(list('spec.pools.green.members'), { listType: 'map', keys: ['id'], patchStrategy: 'merge' });
});

test('x-kubernetes-map-type atomic marks maps, including a list of them by the list path', () => {
  assert.equal(meta.atomicMap?.(['spec', 'selector']), true);
  assert.equal(meta.atomicMap?.(['spec', 'routes', 'backend']), true);
  assert.equal(meta.atomicMap?.(['spec', 'pools']), false);
  assert.equal(meta.retainKeys?.(['spec', 'routes']), false);
});

test('metadata lists are known for the object and for embedded resources, whatever the schema says', () => {
  const set = { listType: 'set', patchStrategy: 'merge' };
  const owners = { listType: 'map', keys: ['uid'], patchStrategy: 'merge' };
  assert.deepEqual(list('metadata.finalizers'), set);
  assert.deepEqual(list('metadata.ownerReferences'), owners);
  assert.deepEqual(list('spec.template.metadata.finalizers'), set);
  assert.equal(list('spec.routes.metadata.finalizers'), undefined);
  const bare = schemaPatchMeta(undefined);
  assert.deepEqual(bare.list(['metadata', 'finalizers']), set);
  assert.equal(bare.list(['spec', 'routes']), undefined);
});

test('path names that exist on Object.prototype resolve to nothing', () => {
  assert.equal(meta.list(['constructor']), undefined);
  assert.equal(meta.list(['spec', 'hasOwnProperty']), undefined);
});

test('a custom resource list-map merges by its first key when strategic merge uses the schema', () => {
  const original: JsonObject = { spec: { routes: [{ host: 'a', port: 80, weight: 1 }, { host: 'b', port: 80 }], tags: ['x'] } };
  const got = applyStrategicMergePatch(original, { spec: { routes: [{ host: 'b', weight: 5 }], tags: ['y'] } }, meta);
  assert.deepEqual(got, { spec: { routes: [{ host: 'a', port: 80, weight: 1 }, { host: 'b', port: 80, weight: 5 }], tags: ['y', 'x'] } });
});
