import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldCause, StructuralSchema } from '../objects.js';
import { applySchemaDefaults } from './schema-defaults.js';
import { pruneUnknownFields } from './schema-prune.js';
import { goFloat, validateBySchema } from './schema-validate.js';

/** `field: message` lines, the way kubectl prints the causes of a 422. */
function lines(causes: FieldCause[]): string[] {
  return causes.map((c) => `${c.field}: ${c.message}`);
}

function obj(properties: Record<string, StructuralSchema>, extra: Partial<StructuralSchema> = {}): StructuralSchema {
  return { type: 'object', properties, ...extra };
}

const deployment = obj({
  spec: obj({
    replicas: { type: 'integer', minimum: 0 },
    template: obj({
      spec: obj({
        containers: {
          type: 'array',
          items: obj({ name: { type: 'string' }, image: { type: 'string', minLength: 1 } }, { required: ['name'] }),
        },
      }),
    }),
  }),
});

test('a wrong type is FieldValueTypeInvalid with the JSON type name as value, as kubectl shows it', () => {
  const causes = validateBySchema({ spec: { replicas: 'three' } }, deployment);
  assert.deepEqual(causes, [
    {
      reason: 'FieldValueTypeInvalid',
      field: 'spec.replicas',
      message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    },
  ]);
});

test('every error is reported, with list items as [i] in field paths and messages', () => {
  const causes = validateBySchema(
    { spec: { replicas: -1, template: { spec: { containers: [{ name: 'a', image: '' }, { image: 5 }] } } } },
    deployment,
  );
  assert.deepEqual(lines(causes), [
    'spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0',
    'spec.template.spec.containers[0].image: Invalid value: "": spec.template.spec.containers[0].image in body should be at least 1 chars long',
    'spec.template.spec.containers[1].image: Invalid value: "integer": spec.template.spec.containers[1].image in body must be of type string: "integer"',
    'spec.template.spec.containers[1].name: Required value',
  ]);
  assert.equal(causes[3].reason, 'FieldValueRequired');
});

test('integers are numbers; a fractional number is not an integer', () => {
  const s = obj({ n: { type: 'number' }, i: { type: 'integer' } });
  assert.deepEqual(validateBySchema({ n: 3, i: 3 }, s), []);
  assert.deepEqual(lines(validateBySchema({ i: 1.5 }, s)), ['i: Invalid value: "number": i in body must be of type integer: "number"']);
  assert.deepEqual(lines(validateBySchema({ n: true }, s)), ['n: Invalid value: "boolean": n in body must be of type number: "boolean"']);
});

test('enum failures are FieldValueNotSupported listing the supported values', () => {
  const s = obj({ policy: { type: 'string', enum: ['Always', 'Never'] }, n: { type: 'integer', enum: [1, 2] } });
  const causes = validateBySchema({ policy: 'Sometimes', n: 3 }, s);
  assert.deepEqual(causes, [
    { reason: 'FieldValueNotSupported', field: 'policy', message: 'Unsupported value: "Sometimes": supported values: "Always", "Never"' },
    { reason: 'FieldValueNotSupported', field: 'n', message: 'Unsupported value: 3: supported values: "1", "2"' },
  ]);
});

test('pattern, minLength and maxLength use kube-openapi wording; maxLength is FieldValueTooLong', () => {
  const s = obj({ name: { type: 'string', pattern: '^[a-z]+$', maxLength: 3 } });
  const causes = validateBySchema({ name: 'ABCD' }, s);
  assert.deepEqual(
    causes.map((c) => c.reason),
    ['FieldValueTooLong', 'FieldValueInvalid'],
  );
  assert.match(causes[0].message, /^Too long: may not be more than 3/);
  assert.equal(causes[1].message, 'Invalid value: "ABCD": name in body should match \'^[a-z]+$\'');
  // lengths count characters, not UTF-16 units
  assert.deepEqual(validateBySchema({ name: 'ééé' }, obj({ name: { type: 'string', maxLength: 3 } })), []);
});

test('minimum and maximum, inclusive and exclusive', () => {
  const s = obj({
    a: { type: 'integer', minimum: 1, maximum: 10 },
    b: { type: 'integer', minimum: 1, exclusiveMinimum: true, maximum: 10, exclusiveMaximum: true },
    c: { type: 'number', maximum: 2.5 },
  });
  assert.deepEqual(validateBySchema({ a: 1, b: 2, c: 2.5 }, s), []);
  assert.deepEqual(lines(validateBySchema({ a: 11, b: 1, c: 2.75 }, s)), [
    'a: Invalid value: 11: a in body should be less than or equal to 10',
    'b: Invalid value: 1: b in body should be greater than 1',
    'c: Invalid value: 2.75: c in body should be less than or equal to 2.5',
  ]);
  assert.deepEqual(lines(validateBySchema({ b: 10 }, s)), ['b: Invalid value: 10: b in body should be less than 10']);
});

test('multipleOf, for integers and fractions', () => {
  const s = obj({ a: { type: 'integer', multipleOf: 5 }, b: { type: 'number', multipleOf: 0.5 } });
  assert.deepEqual(validateBySchema({ a: 15, b: 1.5 }, s), []);
  assert.deepEqual(lines(validateBySchema({ a: 7, b: 1.2 }, s)), [
    'a: Invalid value: 7: a in body should be a multiple of 5',
    'b: Invalid value: 1.2: b in body should be a multiple of 0.5',
  ]);
});

test('minItems, maxItems (FieldValueTooMany) and uniqueItems', () => {
  const s = obj({ l: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 3, uniqueItems: true } });
  assert.deepEqual(lines(validateBySchema({ l: ['a'] }, s)), ['l: Invalid value: 1: l in body should have at least 2 items']);
  const many = validateBySchema({ l: ['a', 'b', 'c', 'd'] }, s);
  assert.deepEqual(many, [{ reason: 'FieldValueTooMany', field: 'l', message: 'Too many: 4: must have at most 3 items' }]);
  assert.deepEqual(lines(validateBySchema({ l: ['a', 'a'] }, s)), ['l: Invalid value: "": l in body shouldn\'t contain duplicates']);
});

test('minProperties and maxProperties', () => {
  const s = obj({ m: { type: 'object', additionalProperties: { type: 'string' }, minProperties: 1, maxProperties: 2 } });
  assert.deepEqual(lines(validateBySchema({ m: {} }, s)), ['m: Invalid value: 0: m in body should have at least 1 properties']);
  assert.deepEqual(lines(validateBySchema({ m: { a: 'x', b: 'y', c: 'z' } }, s)), ['m: Too many: 3: must have at most 2 items']);
});

test('formats: date-time, byte, email, ipv4, uuid are checked; int32/int64 and unknown formats are ignored', () => {
  const s = obj({
    t: { type: 'string', format: 'date-time' },
    b: { type: 'string', format: 'byte' },
    e: { type: 'string', format: 'email' },
    ip: { type: 'string', format: 'ipv4' },
    u: { type: 'string', format: 'uuid' },
    i: { type: 'integer', format: 'int32' },
    x: { type: 'string', format: 'k8s-something-new' },
  });
  const good = { t: '2024-02-29T12:00:00Z', b: 'aGVsbG8=', e: 'a@example.com', ip: '10.0.0.1', u: '123e4567-e89b-12d3-a456-426614174000', i: 3_000_000_000, x: '!' };
  assert.deepEqual(validateBySchema(good, s), []);
  const causes = validateBySchema({ t: '2024-02-30T12:00:00Z', b: 'not base64!', e: 'nope', ip: '10.0.0.300', u: 'xyz' }, s);
  assert.deepEqual(
    causes.map((c) => [c.reason, c.field]),
    [
      ['FieldValueTypeInvalid', 't'],
      ['FieldValueTypeInvalid', 'b'],
      ['FieldValueTypeInvalid', 'e'],
      ['FieldValueTypeInvalid', 'ip'],
      ['FieldValueTypeInvalid', 'u'],
    ],
  );
  assert.equal(causes[0].message, 'Invalid value: "2024-02-30T12:00:00Z": t in body must be of type date-time: "2024-02-30T12:00:00Z"');
});

test('null is accepted only where nullable', () => {
  const s = obj({ a: { type: 'string' }, b: { type: 'string', nullable: true }, c: { 'x-kubernetes-preserve-unknown-fields': true } });
  assert.deepEqual(validateBySchema({ b: null, c: null }, s), []);
  assert.deepEqual(validateBySchema({ a: null }, s), [
    { reason: 'FieldValueTypeInvalid', field: 'a', message: 'Invalid value: "null": a in body must be of type string: "null"' },
  ]);
});

test('x-kubernetes-int-or-string accepts integers and strings only', () => {
  const s = obj({
    port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
    q: { 'x-kubernetes-int-or-string': true, pattern: '^[0-9]+m?$' },
  });
  assert.deepEqual(validateBySchema({ port: 8080, q: 5 }, s), []);
  assert.deepEqual(validateBySchema({ port: 'http', q: '500m' }, s), []);
  const causes = validateBySchema({ port: true, q: 'lots' }, s);
  assert.deepEqual(lines(causes), [
    'port: Invalid value: "boolean": port in body must be of type integer,string: "boolean"',
    'port: Invalid value: "": "port" must validate at least one schema (anyOf)',
    'port: Invalid value: "boolean": port in body must be of type integer: "boolean"',
    'q: Invalid value: "lots": q in body should match \'^[0-9]+m?$\'',
  ]);
});

test('additionalProperties as a schema validates map values, with [key] in paths', () => {
  const s = obj({ labels: { type: 'object', additionalProperties: { type: 'string', maxLength: 5 } } });
  assert.deepEqual(lines(validateBySchema({ labels: { 'app.kubernetes.io/name': 7, ok: 'fine' } }, s)), [
    'labels[app.kubernetes.io/name]: Invalid value: "integer": labels[app.kubernetes.io/name] in body must be of type string: "integer"',
  ]);
});

test('additionalProperties: false forbids unknown properties', () => {
  const s = obj({ spec: obj({ a: { type: 'string' } }, { additionalProperties: false }) });
  assert.deepEqual(lines(validateBySchema({ spec: { a: 'x', b: 1 } }, s)), ['spec: Invalid value: "b": spec.b in body is a forbidden property']);
});

test('allOf, anyOf, oneOf and not', () => {
  const s = obj({
    all: { type: 'integer', allOf: [{ minimum: 1 }, { maximum: 5 }] },
    any: { type: 'object', anyOf: [{ required: ['x'] }, { required: ['y'] }] },
    one: { type: 'integer', oneOf: [{ minimum: 0 }, { maximum: 10 }] },
    not: { type: 'string', not: { enum: ['forbidden'] } },
  });
  assert.deepEqual(validateBySchema({ all: 3, any: { y: 1 }, one: -5, not: 'ok' }, s), []);
  assert.deepEqual(lines(validateBySchema({ all: 9, any: {}, one: 5, not: 'forbidden' }, s)), [
    'all: Invalid value: 9: all in body should be less than or equal to 5',
    'all: Invalid value: "": "all" must validate all the schemas (allOf)',
    'any: Invalid value: "": "any" must validate at least one schema (anyOf)',
    'any.x: Required value',
    'one: Invalid value: "": "one" must validate one and only one schema (oneOf). Found 2 valid alternatives',
    'not: Invalid value: "": "not" must not validate the schema (not)',
  ]);
});

test('x-kubernetes-preserve-unknown-fields does not loosen the specified properties', () => {
  const s = obj({ spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { n: { type: 'integer' } } } });
  assert.deepEqual(validateBySchema({ spec: { anything: { goes: true } } }, s), []);
  assert.equal(validateBySchema({ spec: { n: 'x' } }, s).length, 1);
});

test('x-kubernetes-embedded-resource requires apiVersion and kind and checks metadata', () => {
  const s = obj({
    template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
  });
  assert.deepEqual(validateBySchema({ template: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } } }, s), []);
  assert.deepEqual(lines(validateBySchema({ template: { metadata: { name: 'a/b' } } }, s)), [
    'template.apiVersion: Required value',
    'template.kind: Required value',
    "template.metadata.name: Invalid value: \"a/b\": may not contain '/'",
  ]);
  assert.deepEqual(lines(validateBySchema({ template: { apiVersion: 'a/b/c', kind: 'Not_A_Kind' } }, s)), [
    'template.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
    'template.kind: Invalid value: "Not_A_Kind": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')',
  ]);
});

test('x-kubernetes-list-type set and map reject duplicates as FieldValueDuplicate', () => {
  const s = obj({
    tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
    ports: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['port', 'protocol'],
      items: obj({ port: { type: 'integer' }, protocol: { type: 'string' } }),
    },
  });
  assert.deepEqual(validateBySchema({ tags: ['a', 'b'], ports: [{ port: 80, protocol: 'TCP' }, { port: 80, protocol: 'UDP' }] }, s), []);
  const causes = validateBySchema({ tags: ['a', 'b', 'a', 'a'], ports: [{ port: 80, protocol: 'TCP' }, { port: 80, protocol: 'TCP' }] }, s);
  assert.deepEqual(
    causes.map((c) => [c.reason, c.field]),
    [
      ['FieldValueDuplicate', 'tags[2]'],
      ['FieldValueDuplicate', 'ports[1]'],
    ],
  );
  assert.equal(causes[0].message, 'Duplicate value: "a"');
});

test('x-kubernetes-validations (CEL) is ignored, not rejected', () => {
  const s = obj({ a: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self > 100', message: 'too small' }] } });
  assert.deepEqual(validateBySchema({ a: 1 }, s), []);
});

test('rootPath prefixes the reported paths', () => {
  const causes = validateBySchema({ replicas: 'x' }, obj({ replicas: { type: 'integer' } }), 'spec');
  assert.deepEqual(lines(causes), ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']);
});

test('numbers print like Go in messages', () => {
  assert.equal(goFloat(2.5), '2.5');
  assert.equal(goFloat(1e6), '1e+06');
  assert.equal(goFloat(0.00001), '1e-05');
});

test('the apiserver pipeline on a custom resource: prune unknown fields and nulls, default, then validate', () => {
  const schema = obj(
    {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: obj({ replicas: { type: 'integer', default: 1 }, image: { type: 'string' }, mode: { type: 'string', enum: ['a', 'b'] } }, { required: ['image'] }),
    },
    { required: ['metadata', 'spec'] },
  );
  const cr = { apiVersion: 'x.io/v1', kind: 'X', metadata: { name: 'n' }, spec: { replicas: null, mode: null, image: 'nginx', extra: true } };
  const { value, pruned } = pruneUnknownFields(cr, schema);
  const defaulted = applySchemaDefaults(value, schema);
  assert.deepEqual(pruned, ['spec.extra']);
  assert.deepEqual(defaulted, { apiVersion: 'x.io/v1', kind: 'X', metadata: { name: 'n' }, spec: { replicas: 1, image: 'nginx' } });
  assert.deepEqual(validateBySchema(defaulted, schema), []);
  // metadata is part of the object the schema sees: leaving it out trips `required: [metadata]`.
  const { metadata: _metadata, ...withoutMetadata } = defaulted as Record<string, unknown>;
  assert.deepEqual(lines(validateBySchema(withoutMetadata, schema)), ['metadata: Required value']);
});
