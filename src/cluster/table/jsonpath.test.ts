import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateJsonPath, formatJsonPathResults, goFormatNumber, goJsonMarshal, JsonPathError, jsonPathText, parseJsonPath } from './jsonpath.js';

const doc = {
  metadata: {
    name: 'web',
    labels: { 'app.kubernetes.io/name': 'web' },
    annotations: { 'kubernetes.io/change-cause': 'deploy', 'a.b': 'dotted' },
  },
  spec: {
    containers: [
      { name: 'app', image: 'nginx:1.25', ports: [{ containerPort: 80 }] },
      { name: 'sidecar', image: 'busybox' },
    ],
  },
  status: {
    conditions: [
      { type: 'Available', status: 'True' },
      { type: 'Ready', status: 'False' },
    ],
    replicas: 3,
  },
};

test('dotted paths, an optional $ root and {} braces all select the same value', () => {
  assert.deepEqual(evaluateJsonPath('.metadata.name', doc), ['web']);
  assert.deepEqual(evaluateJsonPath('$.metadata.name', doc), ['web']);
  assert.deepEqual(evaluateJsonPath('{.metadata.name}', doc), ['web']);
  assert.deepEqual(evaluateJsonPath('.status.replicas', doc), [3]);
});

test('array indexes, negative indexes and slices; out of range selects nothing', () => {
  assert.deepEqual(evaluateJsonPath('.spec.containers[0].name', doc), ['app']);
  assert.deepEqual(evaluateJsonPath('.spec.containers[-1].name', doc), ['sidecar']);
  assert.deepEqual(evaluateJsonPath('.spec.containers[0:1].name', doc), ['app']);
  assert.deepEqual(evaluateJsonPath('.spec.containers[5].name', doc), []);
});

test('bracketed and escaped keys reach map keys containing dots and slashes', () => {
  assert.deepEqual(evaluateJsonPath(".metadata.labels['app.kubernetes.io/name']", doc), ['web']);
  assert.deepEqual(evaluateJsonPath('.metadata.annotations["a.b"]', doc), ['dotted']);
  assert.deepEqual(evaluateJsonPath('.metadata.annotations.kubernetes\\.io/change-cause', doc), ['deploy']);
});

test('wildcards fan out and custom-columns joins the results with commas', () => {
  const images = evaluateJsonPath('.spec.containers[*].image', doc);
  assert.deepEqual(images, ['nginx:1.25', 'busybox']);
  assert.equal(formatJsonPathResults(images), 'nginx:1.25,busybox');
  assert.equal(formatJsonPathResults(evaluateJsonPath('.spec.containers[*].ports[*].containerPort', doc)), '80');
  assert.equal(formatJsonPathResults(evaluateJsonPath('.spec.missing', doc)), '<none>');
  assert.deepEqual(evaluateJsonPath('..containerPort', doc), [80]);
});

test('filters select list items by a field', () => {
  assert.deepEqual(evaluateJsonPath('.status.conditions[?(@.type=="Ready")].status', doc), ['False']);
  assert.deepEqual(evaluateJsonPath(".status.conditions[?(@.status!='True')].type", doc), ['Ready']);
  assert.deepEqual(evaluateJsonPath('.spec.containers[?(@.ports)].name', doc), ['app']);
});

test('missing keys and wrong shapes select nothing instead of failing', () => {
  assert.deepEqual(evaluateJsonPath('.status.sync.status', doc), []);
  assert.deepEqual(evaluateJsonPath('.metadata.name.first', doc), []);
  assert.deepEqual(evaluateJsonPath('.metadata[0]', doc), []);
});

test('an invalid path is an error naming the path and the position', () => {
  const bad: [string, RegExp][] = [
    ['.spec.containers[', /unterminated array subscript/],
    ['spec.name', /must start with/],
    ['.spec..', /expected a field name/],
    [".metadata.labels['x", /unterminated quoted string/],
    ['.status.conditions[?(@.type=="Ready"]', /expected '\)'/],
    ['{.a', /unclosed action/],
  ];
  for (const [path, reason] of bad) {
    assert.throws(
      () => parseJsonPath(path),
      (e: unknown) => e instanceof JsonPathError && e.path === path && reason.test(e.message) && e.message.includes(JSON.stringify(path)) && /at position \d+$/.test(e.message),
      path,
    );
  }
});

test('values print the way client-go prints them', () => {
  assert.equal(jsonPathText('Synced'), 'Synced');
  assert.equal(jsonPathText(3), '3');
  assert.equal(jsonPathText(1.5), '1.5');
  assert.equal(jsonPathText(true), 'true');
  assert.equal(jsonPathText({ b: 1, a: '<x>' }), '{"a":"\\u003cx\\u003e","b":1}');
  assert.equal(jsonPathText(['x', 2]), '["x",2]');
  assert.equal(jsonPathText(null), '<no value>');
  assert.equal(goFormatNumber(1500000.5), '1.5000005e+06');
  assert.equal(goFormatNumber(0.00001), '1e-05');
  assert.equal(goFormatNumber(123456.25), '123456.25');
  assert.equal(goJsonMarshal({ z: [1.5, null], a: true }), '{"a":true,"z":[1.5,null]}');
  assert.equal(formatJsonPathResults([{ b: 2, a: 1 }, [1, 'x'], null]), 'map[a:1 b:2],[1 x],<nil>');
});
