import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldCause, KubeObject } from '../objects.js';
import { validateCrd } from './crd-validate.js';

function lines(causes: FieldCause[]): string[] {
  return causes.map((c) => `${c.field}: ${c.message}`);
}

const schema = {
  openAPIV3Schema: {
    type: 'object',
    properties: {
      spec: { type: 'object', properties: { replicas: { type: 'integer', default: 1 }, selector: { type: 'string' } } },
      status: { type: 'object', properties: { replicas: { type: 'integer' }, selector: { type: 'string' } } },
    },
  },
};

/** A CRD with two served versions, v1 the storage version. */
function widgetCrd(): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget', shortNames: ['wd'] },
      versions: [
        { name: 'v1beta1', served: true, storage: false, schema },
        {
          name: 'v1',
          served: true,
          storage: true,
          schema,
          subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
          additionalPrinterColumns: [{ name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' }],
        },
      ],
    },
  };
}

function edit(mutate: (spec: Record<string, unknown>, crd: KubeObject) => void): KubeObject {
  const crd = widgetCrd();
  mutate(crd.spec as Record<string, unknown>, crd);
  return crd;
}

function versions(spec: Record<string, unknown>): Record<string, unknown>[] {
  return spec.versions as Record<string, unknown>[];
}

test('a CRD with two versions and one storage version is valid (singular and listKind default)', () => {
  assert.deepEqual(validateCrd(widgetCrd()), []);
});

test('metadata.name must be <plural>.<group>', () => {
  const causes = validateCrd(edit((_s, crd) => (crd.metadata.name = 'gadgets.example.com')));
  assert.deepEqual(causes, [
    { reason: 'FieldValueInvalid', field: 'metadata.name', message: 'Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group' },
  ]);
});

test('the group must be a DNS subdomain with at least one dot', () => {
  const causes = validateCrd(
    edit((s, crd) => {
      s.group = 'example';
      crd.metadata.name = 'widgets.example';
    }),
  );
  assert.deepEqual(lines(causes), ['spec.group: Invalid value: "example": should be a domain with at least one dot']);
  assert.deepEqual(lines(validateCrd(edit((s) => delete s.group))).slice(1), ['spec.group: Required value']);
});

test('scope must be Namespaced or Cluster', () => {
  assert.deepEqual(validateCrd(edit((s) => (s.scope = 'Global'))), [
    { reason: 'FieldValueNotSupported', field: 'spec.scope', message: 'Unsupported value: "Global": supported values: "Cluster", "Namespaced"' },
  ]);
  assert.deepEqual(lines(validateCrd(edit((s) => delete s.scope))), ['spec.scope: Required value']);
});

test('exactly one version must be the storage version', () => {
  const none = validateCrd(edit((s) => (versions(s)[1].storage = false)));
  assert.deepEqual(
    none.map((c) => [c.field, c.message.replace(/^Invalid value: [^:]+: /, '')]),
    [['spec.versions', 'must have exactly one version marked as storage version']],
  );
  const two = validateCrd(edit((s) => (versions(s)[0].storage = true)));
  assert.equal(two.length, 1);
  assert.match(two[0].message, /must have exactly one version marked as storage version$/);
  const empty = validateCrd(edit((s) => (s.versions = [])));
  assert.match(lines(empty).join('\n'), /spec\.versions: .*must have exactly one version marked as storage version/);
});

test('version names are DNS-1035 labels and unique', () => {
  const causes = validateCrd(edit((s) => (versions(s)[0].name = 'V1')));
  assert.deepEqual(causes.map((c) => c.field), ['spec.versions[0].name']);
  assert.match(causes[0].message, /^Invalid value: "V1": a DNS-1035 label must consist of lower case alphanumeric characters/);
  const dup = validateCrd(edit((s) => (versions(s)[0].name = 'v1')));
  assert.deepEqual(dup.map((c) => c.field), ['spec.versions']);
  assert.match(dup[0].message, /must contain unique version names$/);
});

test('each version needs a schema whose root is an object', () => {
  assert.deepEqual(lines(validateCrd(edit((s) => delete versions(s)[0].schema))), [
    'spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required',
  ]);
  const causes = validateCrd(edit((s) => (versions(s)[0].schema = { openAPIV3Schema: { type: 'string' } })));
  assert.deepEqual(lines(causes), ['spec.versions[0].schema.openAPIV3Schema.type: Invalid value: "string": must be object at the root']);
  const untyped = validateCrd(edit((s) => (versions(s)[0].schema = { openAPIV3Schema: { properties: { spec: { properties: {} } } } })));
  assert.deepEqual(lines(untyped), [
    'spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
    'spec.versions[0].schema.openAPIV3Schema.type: Required value: must not be empty at the root',
  ]);
});

test('names: plural and singular lowercase labels, kind and listKind mixed-case labels, distinct', () => {
  const causes = validateCrd(
    edit((s, crd) => {
      s.names = { plural: 'Widgets', singular: 'widget_one', kind: 'Wid get', listKind: 'Wid get' };
      crd.metadata.name = 'Widgets.example.com';
    }),
  );
  assert.deepEqual(
    causes.map((c) => c.field),
    ['metadata.name', 'spec.names.plural', 'spec.names.singular', 'spec.names.kind', 'spec.names.listKind', 'spec.names.listKind'],
  );
  assert.match(causes[3].message, /^Invalid value: "Wid get": may have mixed case, but should otherwise match: a DNS-1035 label/);
  assert.equal(causes[5].message, 'Invalid value: "Wid get": kind and listKind may not be the same');
  assert.deepEqual(lines(validateCrd(edit((s) => (s.names = { plural: 'widgets' })))), [
    'spec.names.singular: Required value',
    'spec.names.kind: Required value',
    'spec.names.listKind: Required value',
  ]);
});

test('scale subresource paths must be simple JSON paths under .spec and .status', () => {
  const causes = validateCrd(
    edit((s) => {
      versions(s)[1].subresources = { scale: { specReplicasPath: '.status.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: '.metadata.labels' } };
    }),
  );
  assert.deepEqual(lines(causes), [
    'spec.versions[1].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
    'spec.versions[1].subresources.scale.statusReplicasPath: Invalid value: "status.replicas": must be a simple json path starting with .',
    'spec.versions[1].subresources.scale.labelSelectorPath: Invalid value: ".metadata.labels": should be a json path under either .spec or .status',
  ]);
  const missing = validateCrd(edit((s) => (versions(s)[1].subresources = { scale: {} })));
  assert.deepEqual(lines(missing), [
    'spec.versions[1].subresources.scale.specReplicasPath: Required value',
    'spec.versions[1].subresources.scale.statusReplicasPath: Required value',
  ]);
});

test('printer columns need a name, a known type and a JSON path', () => {
  const causes = validateCrd(edit((s) => (versions(s)[1].additionalPrinterColumns = [{ type: 'timestamp', jsonPath: 'spec.x' }])));
  assert.deepEqual(lines(causes), [
    'spec.versions[1].additionalPrinterColumns[0].name: Required value',
    'spec.versions[1].additionalPrinterColumns[0].type: Invalid value: "timestamp": must be one of boolean,date,integer,number,string',
    'spec.versions[1].additionalPrinterColumns[0].JSONPath: Invalid value: "spec.x": must be a simple json path starting with .',
  ]);
});

test('schema rules: uniqueItems, mixed properties/additionalProperties, list-type map keys, bad defaults', () => {
  const bad = {
    openAPIV3Schema: {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
            both: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } },
            ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port'], items: { type: 'object', properties: { port: { type: 'integer' } } } },
            count: { type: 'integer', default: 'many' },
          },
        },
      },
    },
  };
  const causes = validateCrd(edit((s) => (versions(s)[0].schema = bad)));
  const p = 'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties';
  assert.deepEqual(lines(causes), [
    `${p}[tags].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
    `${p}[both].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
    `${p}[ports].items.properties[port].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`,
    `${p}[count].default: Invalid value: "string":  in body must be of type integer: "string"`,
  ]);
});

test('with the status subresource, the root schema may only use a restricted set of keywords', () => {
  const causes = validateCrd(edit((s) => (versions(s)[1].schema = { openAPIV3Schema: { ...schema.openAPIV3Schema, anyOf: [{ required: ['spec'] }] } })));
  assert.equal(causes.length, 1);
  assert.equal(causes[0].field, 'spec.versions[1].schema.openAPIV3Schema');
  assert.match(causes[0].message, /fields are allowed at the root of the schema if the status subresource is enabled$/);
});

test('x-kubernetes-validations (CEL) in a schema is accepted', () => {
  const withCel = { openAPIV3Schema: { ...schema.openAPIV3Schema, 'x-kubernetes-validations': [{ rule: 'has(self.spec)' }] } };
  assert.deepEqual(validateCrd(edit((s) => (versions(s)[0].schema = withCel))), []);
});

test('on update, group and plural are immutable, and scope and kind once established', () => {
  const old = { ...widgetCrd(), status: { conditions: [{ type: 'Established', status: 'True' }] } };
  const causes = validateCrd(
    edit((s) => {
      s.scope = 'Cluster';
      s.group = 'example.org';
    }),
    old,
  );
  assert.deepEqual(lines(causes), [
    'metadata.name: Invalid value: "widgets.example.com": must be spec.names.plural+"."+spec.group',
    'spec.scope: Invalid value: "Cluster": field is immutable',
    'spec.group: Invalid value: "example.org": field is immutable',
  ]);
  const notEstablished = { ...widgetCrd(), status: { conditions: [{ type: 'Established', status: 'False' }] } };
  assert.deepEqual(validateCrd(edit((s) => (s.scope = 'Cluster')), notEstablished), []);
  assert.deepEqual(validateCrd(widgetCrd(), widgetCrd()), []);
});

test('conversion: None by default; Webhook needs a client config and review versions', () => {
  const causes = validateCrd(edit((s) => (s.conversion = { strategy: 'Webhook' })));
  assert.deepEqual(lines(causes), [
    'spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook',
    'spec.conversion.conversionReviewVersions: Required value',
  ]);
  const ok = edit((s) => (s.conversion = { strategy: 'Webhook', webhook: { clientConfig: { url: 'https://x.example.com/convert' }, conversionReviewVersions: ['v1'] } }));
  assert.deepEqual(validateCrd(ok), []);
});
