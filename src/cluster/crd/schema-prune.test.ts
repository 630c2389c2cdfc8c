import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StructuralSchema } from '../objects.js';
import { pruneUnknownFields } from './schema-prune.js';

const schema: StructuralSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer' },
        containers: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
        labels: { type: 'object', additionalProperties: { type: 'object', properties: { v: { type: 'string' } } } },
        config: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: { strict: { type: 'object', properties: { known: { type: 'string' } } } },
        },
        freeList: { 'x-kubernetes-preserve-unknown-fields': true },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, data: { type: 'object', properties: { k: { type: 'string' } } } },
        },
        optional: { type: 'string' },
        withDefault: { type: 'string', default: 'd' },
        nullable: { type: 'string', nullable: true },
      },
    },
    status: { type: 'object', properties: { phase: { type: 'string' } } },
  },
};

test('fields outside the schema are dropped and listed; apiVersion, kind and root metadata stay', () => {
  const input = {
    apiVersion: 'x.io/v1',
    kind: 'Thing',
    metadata: { name: 'a', whatever: 1 },
    spec: { replicas: 1, foo: 'bar', containers: [{ name: 'c', image: 'nginx' }], labels: { a: { v: 'x', extra: 1 } } },
    extraTop: true,
  };
  const { value, pruned } = pruneUnknownFields(input, schema);
  assert.deepEqual(value, {
    apiVersion: 'x.io/v1',
    kind: 'Thing',
    metadata: { name: 'a', whatever: 1 },
    spec: { replicas: 1, containers: [{ name: 'c' }], labels: { a: { v: 'x' } } },
  });
  assert.deepEqual(pruned, ['extraTop', 'spec.containers[0].image', 'spec.foo', 'spec.labels[a].extra']);
  assert.equal((input.spec as Record<string, unknown>).foo, 'bar', 'the input is not modified');
});

test('x-kubernetes-preserve-unknown-fields keeps unknown fields at that level but prunes under specified properties', () => {
  const { value, pruned } = pruneUnknownFields(
    { spec: { config: { anything: { nested: [1, { x: 2 }] }, strict: { known: 'k', unknown: 'u' } }, freeList: [{ a: 1 }, 'b'] } },
    schema,
  );
  assert.deepEqual(value, { spec: { config: { anything: { nested: [1, { x: 2 }] }, strict: { known: 'k' } }, freeList: [{ a: 1 }, 'b'] } });
  assert.deepEqual(pruned, ['spec.config.strict.unknown']);
});

test('an embedded resource keeps apiVersion and kind, keeps only ObjectMeta fields in metadata, and prunes the rest by schema', () => {
  const { value, pruned } = pruneUnknownFields(
    {
      spec: {
        template: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'x', labels: { a: 'b' }, creationTimestamp: null, bogus: 1 },
          data: { k: 'v', other: 'o' },
          extra: 1,
        },
      },
    },
    schema,
  );
  assert.deepEqual(value, { spec: { template: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { a: 'b' } }, data: { k: 'v' } } } });
  assert.deepEqual(pruned, ['spec.template.data.other', 'spec.template.extra', 'spec.template.metadata.bogus']);
});

test('nulls of non-nullable fields without a default are dropped (not reported); others are left for defaulting', () => {
  const { value, pruned } = pruneUnknownFields({ spec: { optional: null, withDefault: null, nullable: null } }, schema);
  assert.deepEqual(value, { spec: { withDefault: null, nullable: null } });
  assert.deepEqual(pruned, []);
  const kept = pruneUnknownFields({ spec: { optional: null } }, schema, { dropNullsWithoutDefaults: false });
  assert.deepEqual(kept.value, { spec: { optional: null } });
});

test('without isResourceRoot, apiVersion/kind/metadata are pruned like any field', () => {
  const { value, pruned } = pruneUnknownFields({ kind: 'X', spec: {} }, schema, { isResourceRoot: false });
  assert.deepEqual(value, { spec: {} });
  assert.deepEqual(pruned, ['kind']);
});
