/**
 * A corpus of malformed requests: each gets a Kubernetes Status with the right code and a precise
 * message, none crashes the server, and afterwards the store holds exactly what it held before.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../support/in-process-cluster.js';

interface Status {
  kind: string;
  code: number;
  reason: string;
  message: string;
}

interface BadRequest {
  name: string;
  method: string;
  path: string;
  body?: string;
  contentType?: string;
  code: number;
  /** A fragment the message must contain, so the error says what was wrong. */
  says: RegExp;
}

const CM = '/api/v1/namespaces/default/configmaps';
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';

const corpus: BadRequest[] = [
  { name: 'truncated JSON', method: 'POST', path: CM, body: '{"metadata": {"name": "x"', code: 400, says: /line 1, column/ },
  { name: 'JSON with a trailing comma', method: 'POST', path: CM, body: '{"metadata": {"name": "x"},}', code: 400, says: /error decoding JSON body/ },
  { name: 'YAML with a bad indent', method: 'POST', path: CM, body: 'metadata:\n  name: x\n    oops: 1\n', contentType: 'application/yaml', code: 400, says: /line \d+, column \d+/ },
  { name: 'YAML with a duplicate key', method: 'POST', path: CM, body: 'metadata:\n  name: x\n  name: y\n', contentType: 'application/yaml', code: 400, says: /line \d+/ },
  { name: 'an empty body', method: 'POST', path: CM, body: '', code: 400, says: /body is empty/ },
  { name: 'a JSON array instead of an object', method: 'POST', path: CM, body: '[1,2]', code: 400, says: /must be a ConfigMap object/ },
  { name: 'a protobuf body without the k8s envelope', method: 'POST', path: CM, body: 'x', contentType: 'application/vnd.kubernetes.protobuf', code: 400, says: /protobuf/ },
  { name: 'an unknown content type', method: 'POST', path: CM, body: 'x', contentType: 'text/html', code: 415, says: /accepted media types/ },
  { name: 'the wrong kind for the URL', method: 'POST', path: CM, body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }), code: 400, says: /does not match/ },
  { name: 'the wrong apiVersion for the URL', method: 'POST', path: CM, body: JSON.stringify({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'x' } }), code: 400, says: /API version in the data \(apps\/v1\)/ },
  { name: 'a namespace mismatch', method: 'POST', path: CM, body: JSON.stringify({ metadata: { name: 'x', namespace: 'kube-system' } }), code: 400, says: /namespace of the provided object does not match/ },
  { name: 'neither name nor generateName', method: 'POST', path: CM, body: JSON.stringify({ metadata: {} }), code: 422, says: /metadata\.name: Required value/ },
  { name: 'an uppercase name', method: 'POST', path: CM, body: JSON.stringify({ metadata: { name: 'Bad_Name' } }), code: 422, says: /metadata\.name: Invalid value: "Bad_Name"/ },
  { name: 'a name over 253 characters', method: 'POST', path: CM, body: JSON.stringify({ metadata: { name: 'a'.repeat(300) } }), code: 422, says: /metadata\.name/ },
  { name: 'a bad label value', method: 'POST', path: CM, body: JSON.stringify({ metadata: { name: 'x', labels: { app: 'has spaces' } } }), code: 422, says: /metadata\.labels/ },
  { name: 'ownerReferences that are a map', method: 'POST', path: CM, body: JSON.stringify({ metadata: { name: 'x', ownerReferences: { a: 1 } } }), code: 422, says: /metadata\.ownerReferences: Invalid value/ },
  { name: 'finalizers that are a string', method: 'PUT', path: `${CM}/keep`, body: JSON.stringify({ metadata: { name: 'keep', finalizers: 'abc' } }), code: 422, says: /metadata\.finalizers/ },
  { name: 'labels that are a list', method: 'POST', path: CM, body: JSON.stringify({ metadata: { name: 'x', labels: [1] } }), code: 422, says: /metadata\.labels/ },
  { name: 'managedFields that are a number', method: 'PUT', path: `${CM}/keep`, body: JSON.stringify({ metadata: { name: 'keep', managedFields: 5 } }), code: 422, says: /metadata\.managedFields/ },
  { name: 'a JSON patch replacing the whole object with a number', method: 'PATCH', path: `${CM}/keep`, body: '[{"op":"replace","path":"","value":5}]', contentType: 'application/json-patch+json', code: 422, says: /must be an object/ },
  { name: 'a merge patch making metadata a number', method: 'PATCH', path: `${CM}/keep`, body: '{"metadata":5}', contentType: 'application/merge-patch+json', code: 422, says: /metadata/ },
  { name: 'a merge patch making ownerReferences a map', method: 'PATCH', path: `${CM}/keep`, body: '{"metadata":{"ownerReferences":{"a":1}}}', contentType: 'application/merge-patch+json', code: 422, says: /metadata\.ownerReferences/ },
  { name: 'a path with broken percent-encoding', method: 'GET', path: '/api/v1/namespaces/%ZZ/configmaps', code: 400, says: /percent-encoding/ },
  { name: 'metadata that is a string', method: 'POST', path: CM, body: JSON.stringify({ metadata: 'nope' }), code: 422, says: /metadata/ },
  { name: 'a Deployment without a selector', method: 'POST', path: DEPLOY, body: JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } }), code: 422, says: /spec\.selector/ },
  { name: 'a body over 3 MiB', method: 'POST', path: CM, body: JSON.stringify({ metadata: { name: 'big' }, data: { a: 'x'.repeat(3 * 1024 * 1024) } }), code: 413, says: /too large/ },
  { name: 'a JSON patch that is not a list', method: 'PATCH', path: `${CM}/keep`, body: '{"op":"add"}', contentType: 'application/json-patch+json', code: 400, says: /list of operations/ },
  { name: 'a JSON patch on a missing path', method: 'PATCH', path: `${CM}/keep`, body: '[{"op":"replace","path":"/nope/deeper","value":1}]', contentType: 'application/json-patch+json', code: 422, says: /patch could not be applied/ },
  { name: 'a strategic patch with a bad directive', method: 'PATCH', path: `${DEPLOY}/keep`, body: JSON.stringify({ spec: { template: { spec: { containers: [{ $patch: 'explode', name: 'c' }] } } } }), contentType: 'application/strategic-merge-patch+json', code: 400, says: /containers/ },
  { name: 'a patch with an unknown content type', method: 'PATCH', path: `${CM}/keep`, body: '{}', contentType: 'application/json', code: 415, says: /accepted media types/ },
  { name: 'server-side apply without a field manager', method: 'PATCH', path: `${CM}/keep`, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\n', contentType: 'application/apply-patch+yaml', code: 422, says: /fieldManager: Required value/ },
  { name: 'force on a non-apply patch', method: 'PATCH', path: `${CM}/keep?force=true`, body: '{}', contentType: 'application/merge-patch+json', code: 422, says: /force: Forbidden/ },
  { name: 'an update renaming the object', method: 'PUT', path: `${CM}/keep`, body: JSON.stringify({ metadata: { name: 'other' } }), code: 400, says: /does not match the name on the URL/ },
  { name: 'an unparseable label selector', method: 'GET', path: `${CM}?labelSelector=${encodeURIComponent('a in (b')}`, code: 400, says: /./ },
  { name: 'an unsupported field selector', method: 'GET', path: `${CM}?fieldSelector=spec.foo%3Dbar`, code: 400, says: /not a known field selector|field label not supported/ },
  { name: 'a garbage continue token', method: 'GET', path: `${CM}?limit=1&continue=garbage`, code: 400, says: /continue/ },
  { name: 'a non-numeric resourceVersion', method: 'GET', path: `${CM}?resourceVersion=abc&resourceVersionMatch=Exact`, code: 400, says: /resourceVersion/ },
  { name: 'a bad limit', method: 'GET', path: `${CM}?limit=ten`, code: 400, says: /limit/ },
  { name: 'a bad propagation policy', method: 'DELETE', path: `${CM}/keep`, body: JSON.stringify({ propagationPolicy: 'Sideways' }), code: 400, says: /propagationPolicy: Unsupported value/ },
  { name: 'a bad dryRun value', method: 'POST', path: `${CM}?dryRun=Some`, body: JSON.stringify({ metadata: { name: 'x' } }), code: 400, says: /dryRun/ },
  { name: 'a bad fieldValidation value', method: 'POST', path: `${CM}?fieldValidation=Loose`, body: JSON.stringify({ metadata: { name: 'x' } }), code: 400, says: /fieldValidation/ },
  { name: 'an unknown API group', method: 'GET', path: '/apis/no.such.group/v1/things', code: 404, says: /could not find the requested resource/ },
  { name: 'a namespaced path for a cluster-scoped kind', method: 'GET', path: '/api/v1/namespaces/default/nodes', code: 404, says: /could not find/ },
  { name: 'a missing object', method: 'GET', path: `${CM}/absent`, code: 404, says: /configmaps "absent" not found/ },
  { name: 'POST to an object path', method: 'POST', path: `${CM}/keep`, body: '{}', code: 405, says: /does not allow this method/ },
];

let t: TestCluster;
before(async () => {
  t = await startTestCluster();
  await t.api.post(CM, { metadata: { name: 'keep' }, data: { a: '1' } });
  await t.api.post(DEPLOY, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'keep' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } });
});
after(async () => t.dispose());

test('every request in the bad-input corpus gets a precise Status and the store is intact afterwards', async () => {
  const before = await snapshot();
  const failures: string[] = [];
  for (const bad of corpus) {
    const headers: Record<string, string> = { 'Content-Type': bad.contentType ?? 'application/json' };
    const res = await t.api.request<Status>(bad.method, bad.path, bad.body, headers);
    const ok = res.status === bad.code && res.body?.kind === 'Status' && res.body.code === bad.code && bad.says.test(res.body.message);
    if (!ok) failures.push(`${bad.name}: got ${res.status} ${res.text.slice(0, 200)}`);
  }
  assert.deepEqual(failures, [], `every bad request gets its Status:\n${failures.join('\n')}`);
  assert.equal((await t.api.get('/readyz')).text, 'ok', 'the server still serves');
  assert.deepEqual(await snapshot(), before, 'nothing was changed or lost');
});

async function snapshot(): Promise<string[]> {
  const out: string[] = [];
  for (const path of [CM, DEPLOY, '/api/v1/namespaces']) {
    const list = await t.api.get<{ items: { metadata: { name: string; resourceVersion: string } }[] }>(path);
    for (const i of list.body.items) out.push(`${path}:${i.metadata.name}@${i.metadata.resourceVersion}`);
  }
  return out;
}
