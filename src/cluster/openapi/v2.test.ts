import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { JsonObject, JsonValue, ResourceType, StructuralSchema } from '../objects.js';
import {
  acceptsOpenApiV2Protobuf,
  kindSchemaV2,
  openapiV2Document,
  openapiV2Protobuf,
  structuralToV2,
  v3RefsToV2,
} from './v2.js';
import { readFields } from './protobuf.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function type(over: Partial<ResourceType>): ResourceType {
  return {
    group: 'example.com',
    version: 'v1',
    kind: 'Widget',
    listKind: 'WidgetList',
    plural: 'widgets',
    singular: 'widget',
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: VERBS,
    subresources: {},
    storageVersion: 'v1',
    custom: true,
    ...over,
  };
}

function obj(v: JsonValue | undefined): JsonObject {
  assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), `expected an object, got ${JSON.stringify(v)}`);
  return v;
}

const WIDGET_SCHEMA: StructuralSchema = {
  type: 'object',
  properties: {
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['size', 'note'],
      properties: {
        size: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        note: { type: 'string', nullable: true },
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'string' } } },
        rawList: { type: 'array', 'x-kubernetes-preserve-unknown-fields': true, items: { type: 'object' } },
        oneOfThem: { type: 'object', oneOf: [{ required: ['a'] }, { required: ['b'] }], properties: { a: { type: 'string' }, b: { type: 'string' } } },
        labels: { type: 'object', additionalProperties: { type: 'string', nullable: true } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        object: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
      },
    },
  },
};

/**
 * The rules kube-openapi's `proto.NewOpenAPIData` enforces on every definition (kubectl fails to
 * load the whole document if one schema breaks them).
 */
function assertKubectlParsable(definitions: JsonObject): void {
  const check = (s: JsonValue, where: string): void => {
    const schema = obj(s);
    if (typeof schema.$ref === 'string') {
      assert.ok(schema.$ref.startsWith('#/definitions/'), `${where}: reference outside definitions`);
      assert.ok(definitions[schema.$ref.slice('#/definitions/'.length)], `${where}: unknown model ${schema.$ref}`);
      assert.equal(schema.type, undefined, `${where}: definition reference can't have a type`);
      assert.equal(schema.properties, undefined, `${where}: unallowed embedded type definition`);
      return;
    }
    assert.equal(schema.allOf, undefined, `${where}: allOf is not understood by kubectl`);
    const t = schema.type;
    assert.ok(t === undefined || typeof t === 'string', `${where}: definitions with multiple types aren't supported`);
    if (t === 'array') {
      assert.ok(schema.items && !Array.isArray(schema.items), `${where}: array should have exactly one sub-item`);
      check(schema.items, `${where}[]`);
    } else if (t !== undefined && t !== 'object') {
      assert.ok(['string', 'number', 'integer', 'boolean'].includes(t), `${where}: Unknown primitive type ${t}`);
    }
    if (schema.properties !== undefined) {
      for (const [k, v] of Object.entries(obj(schema.properties))) check(v, `${where}.${k}`);
    }
    if (schema.additionalProperties !== undefined && typeof schema.additionalProperties !== 'boolean') {
      check(schema.additionalProperties, `${where}{}`);
    }
  };
  for (const [name, s] of Object.entries(definitions)) check(s, name);
}

test('structuralToV2 reduces a CRD schema the way the apiextensions server does for v2', () => {
  const spec = obj(obj(obj(structuralToV2(WIDGET_SCHEMA as JsonValue)).properties).spec);
  const props = obj(spec.properties);
  assert.deepEqual(props.size, { 'x-kubernetes-int-or-string': true }, 'junctors dropped, int-or-string untyped');
  assert.deepEqual(props.note, {}, 'nullable values are untyped');
  assert.deepEqual(spec.required, ['size'], 'nullable fields are no longer required');
  assert.deepEqual(props.tags, { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' });
  assert.deepEqual(props.free, { 'x-kubernetes-preserve-unknown-fields': true }, 'preserve-unknown-fields objects are untyped, without properties');
  assert.deepEqual(props.rawList, { 'x-kubernetes-preserve-unknown-fields': true }, 'arrays without items schema lose their type');
  assert.equal(obj(props.oneOfThem).oneOf, undefined);
  assert.deepEqual(obj(props.labels).additionalProperties, {});
  assert.equal(WIDGET_SCHEMA.properties?.spec.required?.length, 2, 'the input is not modified');
});

test('v3RefsToV2 collapses allOf wrappers and moves references into #/definitions/', () => {
  const v3 = {
    properties: {
      a: { allOf: [{ $ref: '#/components/schemas/X' }], description: 'd', default: {} },
      b: { $ref: '#/components/schemas/Y' },
      c: { type: 'array', items: { allOf: [{ $ref: '#/components/schemas/Z' }], default: {} } },
      d: { enum: [{ $ref: 'not-a-ref' }] },
    },
  };
  assert.deepEqual(v3RefsToV2(v3), {
    properties: {
      a: { $ref: '#/definitions/X', description: 'd' },
      b: { $ref: '#/definitions/Y' },
      c: { type: 'array', items: { $ref: '#/definitions/Z' } },
      d: { enum: [{ $ref: 'not-a-ref' }] },
    },
  });
});

test('kind definitions: CRDs get TypeMeta and a metadata reference, open schemas stay a bare object', () => {
  const widget = kindSchemaV2(type({ schema: WIDGET_SCHEMA }));
  const props = obj(widget.properties);
  assert.deepEqual(props.metadata, {
    $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  });
  assert.equal(obj(props.apiVersion).type, 'string');
  assert.deepEqual(widget['x-kubernetes-group-version-kind'], [{ group: 'example.com', kind: 'Widget', version: 'v1' }]);
  const spec = obj(obj(props.spec).properties);
  assert.deepEqual(spec.template, { 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true }, 'open embedded objects stay open');
  const embedded = obj(spec.object);
  assert.deepEqual(Object.keys(obj(embedded.properties)).sort(), ['apiVersion', 'kind', 'metadata', 'spec']);
  assert.deepEqual(obj(obj(embedded.properties).metadata).$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.deepEqual(embedded.required, ['kind', 'apiVersion']);
  for (const open of [type({ schema: undefined, custom: false }), type({ schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } })]) {
    const s = kindSchemaV2(open);
    assert.deepEqual(Object.keys(s).sort(), ['type', 'x-kubernetes-group-version-kind']);
  }
});

test('the v2 document: every definition is one kubectl can load, every path operation carries its GVK', () => {
  const crd = parseYaml(readFileSync('/work/shared/corpus/argo-cd/crds/application-crd.yaml', 'utf8')) as {
    spec: { versions: { name: string; storage: boolean; schema: { openAPIV3Schema: StructuralSchema } }[] };
  };
  const storage = crd.spec.versions.find((v) => v.storage);
  assert.ok(storage);
  const types = [
    type({ group: 'argoproj.io', version: 'v1alpha1', kind: 'Application', listKind: 'ApplicationList', plural: 'applications', schema: storage.schema.openAPIV3Schema }),
    type({ schema: WIDGET_SCHEMA, subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } } }),
    type({ group: '', kind: 'ConfigMap', listKind: 'ConfigMapList', plural: 'configmaps', custom: false }),
  ];
  const doc = openapiV2Document(types, { version: 'v1.32.3' });
  assert.equal(doc.swagger, '2.0');
  assert.deepEqual(doc.info, { title: 'Kubernetes', version: 'v1.32.3' });
  const definitions = obj(doc.definitions);
  assertKubectlParsable(definitions);
  for (const name of [
    'io.argoproj.v1alpha1.Application',
    'io.argoproj.v1alpha1.ApplicationList',
    'com.example.v1.Widget',
    'io.k8s.api.core.v1.ConfigMap',
    'io.k8s.api.autoscaling.v1.Scale',
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
  ]) {
    assert.ok(definitions[name], name);
  }
  assert.deepEqual(obj(obj(definitions['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']))['x-kubernetes-group-version-kind'], [
    { group: '', kind: 'DeleteOptions', version: 'v1' },
    { group: 'argoproj.io', kind: 'DeleteOptions', version: 'v1alpha1' },
    { group: 'example.com', kind: 'DeleteOptions', version: 'v1' },
  ]);
  const paths = obj(doc.paths);
  for (const [p, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(obj(item))) {
      if (method === 'parameters') continue;
      assert.ok(obj(op)['x-kubernetes-group-version-kind'], `${method} ${p}`);
    }
  }
  const patch = obj(obj(paths['/apis/argoproj.io/v1alpha1/namespaces/{namespace}/applications/{name}']).patch);
  assert.deepEqual(patch.consumes, ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json']);
  const params = patch.parameters as JsonObject[];
  assert.deepEqual(params[0], { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } });
  assert.ok(params.some((p) => p.name === 'fieldValidation' && p.in === 'query' && p.type === 'string'));
  assert.deepEqual(obj(obj(patch.responses)['200']).schema, { $ref: '#/definitions/io.argoproj.v1alpha1.Application' });
});

test('the protobuf form is deterministic and decodes', () => {
  const types = [type({ schema: WIDGET_SCHEMA })];
  const a = openapiV2Protobuf(openapiV2Document(types));
  const b = openapiV2Protobuf(openapiV2Document(types));
  assert.deepEqual(a, b);
  const top = readFields(a);
  assert.deepEqual(
    [...new Set(top.map((f) => f.field))].sort((x, y) => x - y),
    [1, 2, 8, 9, 12, 13], // swagger, info, paths, definitions, security, securityDefinitions
  );
  const swagger = top.find((f) => f.field === 1);
  assert.equal(new TextDecoder().decode(swagger?.value as Uint8Array), '2.0');
});

test('the protobuf Accept header is recognised in both spellings', () => {
  assert.equal(acceptsOpenApiV2Protobuf('application/com.github.proto-openapi.spec.v2@v1.0+protobuf'), true);
  assert.equal(acceptsOpenApiV2Protobuf('application/com.github.proto-openapi.spec.v2.v1.0+protobuf, application/json'), true);
  assert.equal(acceptsOpenApiV2Protobuf('application/json'), false);
  assert.equal(acceptsOpenApiV2Protobuf(undefined), false);
});
