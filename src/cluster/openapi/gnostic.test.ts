import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../objects.js';
import { encodeOpenApiV2Document } from './gnostic.js';
import { readFields, type ProtoField } from './protobuf.js';

const utf8 = new TextDecoder();

/** A decoded message as field number → values, for reading by gnostic field numbers. */
class Msg {
  readonly fields: ProtoField[];
  constructor(bytes: Uint8Array) {
    this.fields = readFields(bytes);
  }
  all(no: number): ProtoField[] {
    return this.fields.filter((f) => f.field === no);
  }
  msgs(no: number): Msg[] {
    return this.all(no).map((f) => {
      assert.equal(f.wire, 2, `field ${no} is length-delimited`);
      return new Msg(f.value as Uint8Array);
    });
  }
  msg(no: number): Msg {
    const found = this.msgs(no);
    assert.equal(found.length, 1, `exactly one field ${no}`);
    return found[0];
  }
  str(no: number): string {
    const found = this.all(no);
    if (found.length === 0) return '';
    return utf8.decode(found[found.length - 1].value as Uint8Array);
  }
  strs(no: number): string[] {
    return this.all(no).map((f) => utf8.decode(f.value as Uint8Array));
  }
  varint(no: number): bigint | undefined {
    const f = this.all(no).at(-1);
    return f?.wire === 0 ? f.value : undefined;
  }
  double(no: number): number | undefined {
    const f = this.all(no).at(-1);
    return f?.wire === 1 ? f.value : undefined;
  }
  /** Repeated `Named*` entries (name = 1, value = 2) as a map. */
  named(no: number): Map<string, Msg> {
    return new Map(this.msgs(no).map((e) => [e.str(1), e.msg(2)]));
  }
  /** Vendor extensions (NamedAny lists) with their `Any.yaml` parsed as JSON. */
  extensions(no: number): Map<string, unknown> {
    return new Map([...this.named(no)].map(([k, any]) => [k, JSON.parse(any.str(2))]));
  }
}

const doc: JsonObject = {
  swagger: '2.0',
  info: { title: 'Kubernetes', version: 'v1.32.3' },
  paths: {
    '/apis/argoproj.io/v1alpha1/namespaces/{namespace}/applications/{name}': {
      patch: {
        consumes: ['application/merge-patch+json', 'application/json-patch+json'],
        produces: ['application/json'],
        operationId: 'patchArgoprojIoV1alpha1NamespacedApplication',
        parameters: [
          { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } },
          { uniqueItems: true, type: 'string', description: 'validation', name: 'fieldValidation', in: 'query' },
          { $ref: '#/parameters/pretty' },
        ],
        responses: {
          '200': { description: 'OK', schema: { $ref: '#/definitions/io.argoproj.v1alpha1.Application' } },
          '401': { description: 'Unauthorized' },
        },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: 'argoproj.io', kind: 'Application', version: 'v1alpha1' },
      },
      parameters: [{ uniqueItems: true, type: 'string', description: 'name', name: 'name', in: 'path', required: true }],
    },
  },
  definitions: {
    'io.argoproj.v1alpha1.Application': {
      description: 'An app',
      type: 'object',
      required: ['spec'],
      properties: {
        metadata: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', description: 'meta' },
        spec: {
          type: 'object',
          properties: {
            replicas: { type: 'integer', format: 'int32', maximum: 10.5, minimum: 0, maxLength: 3 },
            mode: { type: 'string', enum: ['a', 'b'], default: 'a' },
            list: { type: 'array', items: { type: 'string' } },
            labels: { type: 'object', additionalProperties: { type: 'string' } },
            closed: { type: 'object', additionalProperties: false },
            anything: { 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
      },
      'x-kubernetes-group-version-kind': [{ group: 'argoproj.io', kind: 'Application', version: 'v1alpha1' }],
    },
  },
  parameters: { pretty: { uniqueItems: true, type: 'string', name: 'pretty', in: 'query' } },
  securityDefinitions: { BearerToken: { description: 'Bearer', type: 'apiKey', name: 'authorization', in: 'header' } },
  security: [{ BearerToken: [] }],
  'x-custom': 'value',
};

const top = new Msg(encodeOpenApiV2Document(doc));

test('Document scalar fields and info', () => {
  assert.equal(top.str(1), '2.0');
  const info = top.msg(2);
  assert.equal(info.str(1), 'Kubernetes');
  assert.equal(info.str(2), 'v1.32.3');
  assert.deepEqual([...top.extensions(16)], [['x-custom', 'value']]);
});

test('definitions are NamedSchema entries with their vendor extensions', () => {
  const defs = top.msg(9).named(1);
  const app = defs.get('io.argoproj.v1alpha1.Application');
  assert.ok(app);
  assert.equal(app.str(4), 'An app');
  assert.deepEqual(app.msg(22).strs(1), ['object']); // TypeItem
  assert.deepEqual(app.strs(19), ['spec']);
  assert.deepEqual(app.extensions(31).get('x-kubernetes-group-version-kind'), [
    { group: 'argoproj.io', kind: 'Application', version: 'v1alpha1' },
  ]);
  const props = app.msg(25).named(1); // Properties
  const meta = props.get('metadata');
  assert.ok(meta);
  assert.equal(meta.str(1), '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.equal(meta.all(22).length, 0, 'a reference carries no type');
});

test('schema keywords land on their field numbers', () => {
  const spec = top.msg(9).named(1).get('io.argoproj.v1alpha1.Application')?.msg(25).named(1).get('spec');
  assert.ok(spec);
  const props = spec.msg(25).named(1);
  const replicas = props.get('replicas');
  assert.ok(replicas);
  assert.equal(replicas.str(2), 'int32');
  assert.equal(replicas.double(7), 10.5);
  assert.equal(replicas.double(9), undefined, 'zero is the proto3 default and is not written');
  assert.equal(replicas.varint(11), 3n);
  const mode = props.get('mode');
  assert.ok(mode);
  assert.deepEqual(
    mode.msgs(20).map((any) => JSON.parse(any.str(2))),
    ['a', 'b'],
  );
  assert.equal(JSON.parse(mode.msg(5).str(2)), 'a');
  const list = props.get('list');
  assert.ok(list);
  const items = list.msg(23).msgs(1); // ItemsItem.schema
  assert.equal(items.length, 1);
  assert.deepEqual(items[0].msg(22).strs(1), ['string']);
  const labels = props.get('labels');
  assert.ok(labels);
  assert.deepEqual(labels.msg(21).msg(1).msg(22).strs(1), ['string']); // AdditionalPropertiesItem.schema
  const closed = props.get('closed');
  assert.ok(closed);
  assert.equal(closed.msg(21).varint(2), 0n, 'additionalProperties: false is a set oneof member');
  const anything = props.get('anything');
  assert.ok(anything);
  assert.equal(anything.extensions(31).get('x-kubernetes-preserve-unknown-fields'), true);
});

test('paths: operations, parameters by kind, responses, extensions', () => {
  const paths = top.msg(8).named(2); // Paths.path
  const item = paths.get('/apis/argoproj.io/v1alpha1/namespaces/{namespace}/applications/{name}');
  assert.ok(item);
  const patch = item.msg(8);
  assert.equal(patch.str(5), 'patchArgoprojIoV1alpha1NamespacedApplication');
  assert.deepEqual(patch.strs(7), ['application/merge-patch+json', 'application/json-patch+json']);
  assert.deepEqual(patch.extensions(13).get('x-kubernetes-group-version-kind'), {
    group: 'argoproj.io',
    kind: 'Application',
    version: 'v1alpha1',
  });
  const [body, query, reference] = patch.msgs(8); // ParametersItem
  const bodyParam = body.msg(1).msg(1); // Parameter.body_parameter
  assert.equal(bodyParam.str(2), 'body');
  assert.equal(bodyParam.varint(4), 1n);
  assert.equal(bodyParam.msg(5).str(1), '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
  const queryParam = query.msg(1).msg(2).msg(3); // Parameter.non_body → query_parameter_sub_schema
  assert.equal(queryParam.str(4), 'fieldValidation');
  assert.equal(queryParam.str(2), 'query');
  assert.equal(queryParam.str(6), 'string');
  assert.equal(queryParam.varint(20), 1n);
  assert.equal(reference.msg(2).str(1), '#/parameters/pretty'); // ParametersItem.json_reference
  const pathParam = item.msg(9).msg(1).msg(2).msg(4); // PathItem.parameters → path_parameter_sub_schema
  assert.equal(pathParam.str(4), 'name');
  assert.equal(pathParam.varint(1), 1n);
  const responses = patch.msg(9).named(1);
  assert.equal(responses.get('200')?.msg(1).msg(2).msg(1).str(1), '#/definitions/io.argoproj.v1alpha1.Application');
  assert.equal(responses.get('401')?.msg(1).str(1), 'Unauthorized');
});

test('global parameters, security definitions and requirements', () => {
  const pretty = top.msg(10).named(1).get('pretty');
  assert.equal(pretty?.msg(2).msg(3).str(4), 'pretty');
  const bearer = top.msg(13).named(1).get('BearerToken');
  const apiKey = bearer?.msg(2); // SecurityDefinitionsItem.api_key_security
  assert.equal(apiKey?.str(1), 'apiKey');
  assert.equal(apiKey?.str(2), 'authorization');
  assert.equal(apiKey?.str(3), 'header');
  const requirement = top.msg(12).named(1);
  assert.deepEqual(requirement.get('BearerToken')?.strs(1), []);
});
