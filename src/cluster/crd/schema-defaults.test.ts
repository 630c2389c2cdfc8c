import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StructuralSchema } from '../objects.js';
import { applySchemaDefaults } from './schema-defaults.js';

const schema: StructuralSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      default: {},
      properties: {
        replicas: { type: 'integer', default: 1 },
        strategy: {
          type: 'object',
          default: { type: 'RollingUpdate' },
          properties: { type: { type: 'string' }, maxSurge: { 'x-kubernetes-int-or-string': true, default: '25%' } },
        },
        ports: {
          type: 'array',
          items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string', default: 'TCP' } } },
        },
        limits: {
          type: 'object',
          additionalProperties: { type: 'object', default: {}, properties: { enabled: { type: 'boolean', default: true } } },
        },
        note: { type: 'string', nullable: true, default: 'n/a' },
        level: { type: 'string', default: 'info' },
      },
    },
  },
};

test('absent properties get their defaults, and a defaulted object gets its nested defaults', () => {
  const out = applySchemaDefaults({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a' } }, schema);
  assert.deepEqual(out, {
    apiVersion: 'x/v1',
    kind: 'X',
    metadata: { name: 'a' },
    spec: { replicas: 1, strategy: { type: 'RollingUpdate', maxSurge: '25%' }, note: 'n/a', level: 'info' },
  });
});

test('present values are kept; defaults apply inside array items and map values', () => {
  const out = applySchemaDefaults(
    { spec: { replicas: 3, strategy: { type: 'Recreate' }, ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }], limits: { a: {}, b: { enabled: false }, c: null } } },
    schema,
  );
  assert.deepEqual(out, {
    spec: {
      replicas: 3,
      strategy: { type: 'Recreate', maxSurge: '25%' },
      ports: [
        { port: 80, protocol: 'TCP' },
        { port: 53, protocol: 'UDP' },
      ],
      limits: { a: { enabled: true }, b: { enabled: false }, c: { enabled: true } },
      note: 'n/a',
      level: 'info',
    },
  });
});

test('null is defaulted where the field is not nullable, and kept where it is', () => {
  const out = applySchemaDefaults({ spec: { level: null, note: null } }, schema) as { spec: Record<string, unknown> };
  assert.equal(out.spec.level, 'info');
  assert.equal(out.spec.note, null);
});

test('defaulting is pure: the input is untouched and defaults are copied, not shared', () => {
  const input = { spec: {} };
  const a = applySchemaDefaults(input, schema) as { spec: { strategy: { type: string } } };
  assert.deepEqual(input, { spec: {} });
  a.spec.strategy.type = 'changed';
  const b = applySchemaDefaults({ spec: {} }, schema) as { spec: { strategy: { type: string } } };
  assert.equal(b.spec.strategy.type, 'RollingUpdate');
  assert.deepEqual((schema.properties!.spec.properties!.strategy.default as { type: string }).type, 'RollingUpdate');
});

test('default: null is no default', () => {
  const out = applySchemaDefaults({}, { type: 'object', properties: { a: { type: 'string', nullable: true, default: null } } });
  assert.deepEqual(out, {});
});
