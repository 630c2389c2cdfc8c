import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import type { JsonObject, JsonValue, PatchMeta } from '../objects.js';
import { builtinPatchMeta } from './builtin-patch-meta.js';
import { applyStrategicMergePatch } from './strategic-merge.js';

const pod = builtinPatchMeta('', 'Pod');
const deployment = builtinPatchMeta('apps', 'Deployment');
const service = builtinPatchMeta('', 'Service');

function deepFreeze<T extends JsonValue>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Every `$`-prefixed key anywhere in a value, with its path. */
function directiveKeys(v: JsonValue, at = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => directiveKeys(x, `${at}[${i}]`));
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) => [...(k.startsWith('$') ? [`${at}.${k}`] : []), ...directiveKeys(x, `${at}.${k}`)]);
}

function get(v: JsonValue | undefined, ...path: (string | number)[]): JsonValue | undefined {
  let cur = v;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = Array.isArray(cur) ? cur[Number(p)] : cur[String(p)];
  }
  return cur;
}

function names(list: JsonValue | undefined, key = 'name'): JsonValue[] {
  assert.ok(Array.isArray(list), `expected a list, got ${JSON.stringify(list)}`);
  return list.map((x) => get(x, key) ?? null);
}

function deploymentWith(containers: JsonValue[]): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web', tier: 'front' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
    },
  };
}

function patchContainers(containers: JsonValue[], extra: JsonObject = {}): JsonObject {
  return { spec: { template: { spec: { containers, ...extra } } } };
}

const containersOf = (o: JsonObject): JsonValue | undefined => get(o, 'spec', 'template', 'spec', 'containers');

function assertBadRequest(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ApiError, `expected ApiError, got ${String(err)}`);
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    for (const f of fragments) assert.ok(err.message.includes(f), `message ${JSON.stringify(err.message)} lacks ${JSON.stringify(f)}`);
    return true;
  });
}

test('a container patched by name keeps its other fields', () => {
  const original = deploymentWith([
    { name: 'app', image: 'app:1', args: ['--serve'], resources: { limits: { cpu: '1' } } },
    { name: 'sidecar', image: 'proxy:1' },
  ]);
  const got = applyStrategicMergePatch(original, patchContainers([{ name: 'app', image: 'app:2' }]), deployment);
  assert.deepEqual(containersOf(got), [
    { name: 'app', image: 'app:2', args: ['--serve'], resources: { limits: { cpu: '1' } } },
    { name: 'sidecar', image: 'proxy:1' },
  ]);
  assert.equal(get(got, 'spec', 'replicas'), 2);
  assert.deepEqual(get(got, 'metadata', 'labels'), { app: 'web', tier: 'front' });
});

test('a new container is added, placed before the untouched ones as apimachinery orders it', () => {
  const original = deploymentWith([{ name: 'app', image: 'app:1' }]);
  const got = applyStrategicMergePatch(original, patchContainers([{ name: 'log', image: 'tail:1' }]), deployment);
  assert.deepEqual(containersOf(got), [
    { name: 'log', image: 'tail:1' },
    { name: 'app', image: 'app:1' },
  ]);
});

test('patched items follow patch order and untouched items keep their original position', () => {
  // apimachinery's "preserve the order from the patch in a merging list 2".
  const original = deploymentWith([{ name: '1' }, { name: '2', image: 'b' }, { name: '3' }]);
  const got = applyStrategicMergePatch(original, patchContainers([{ name: '3', image: 'c' }, { name: '1', image: 'a' }]), deployment);
  assert.deepEqual(containersOf(got), [{ name: '2', image: 'b' }, { name: '3', image: 'c' }, { name: '1', image: 'a' }]);
});

test('env merges by name inside a container and $patch: delete removes one variable', () => {
  const original = deploymentWith([
    { name: 'app', env: [{ name: 'A', value: 'a' }, { name: 'B', value: 'b' }, { name: 'C', valueFrom: { fieldRef: { fieldPath: 'x' } } }] },
  ]);
  const patch = patchContainers([
    { name: 'app', env: [{ name: 'B', $patch: 'delete' }, { name: 'C', value: 'c', valueFrom: null }, { name: 'A', value: 'a2' }] },
  ]);
  const got = applyStrategicMergePatch(original, patch, deployment);
  const env = get(containersOf(got), 0, 'env');
  assert.deepEqual(env, [{ name: 'C', value: 'c' }, { name: 'A', value: 'a2' }]);
});

test('container ports inside a container merge by containerPort', () => {
  const original = deploymentWith([
    { name: 'app', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 9090, name: 'metrics' }] },
  ]);
  const got = applyStrategicMergePatch(original, patchContainers([{ name: 'app', ports: [{ containerPort: 9090, protocol: 'TCP' }] }]), deployment);
  assert.deepEqual(get(containersOf(got), 0, 'ports'), [
    { containerPort: 80, name: 'http' },
    { containerPort: 9090, name: 'metrics', protocol: 'TCP' },
  ]);
});

test('a {"$patch":"replace"} element replaces the whole merge list', () => {
  const original = deploymentWith([{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }]);
  const got = applyStrategicMergePatch(original, patchContainers([{ name: 'c', image: 'c' }, { $patch: 'replace' }]), deployment);
  assert.deepEqual(containersOf(got), [{ name: 'c', image: 'c' }]);
  const emptied = applyStrategicMergePatch(original, patchContainers([{ $patch: 'replace' }]), deployment);
  assert.deepEqual(containersOf(emptied), []);
});

test('$patch: replace in a map replaces that map instead of merging it', () => {
  const original = deploymentWith([]);
  const got = applyStrategicMergePatch(original, { metadata: { labels: { $patch: 'replace', only: 'this' } } }, deployment);
  assert.deepEqual(get(got, 'metadata', 'labels'), { only: 'this' });
  assert.equal(get(got, 'metadata', 'name'), 'web');
});

test('$patch: delete in a map empties an existing map and adds nothing for an absent one', () => {
  const original = deploymentWith([]);
  const got = applyStrategicMergePatch(original, { metadata: { labels: { $patch: 'delete' }, annotations: { $patch: 'delete' } } }, deployment);
  // apimachinery answers an empty map for a map that was there ("delete map from nested map").
  assert.deepEqual(get(got, 'metadata', 'labels'), {});
  assert.equal(Object.hasOwn(get(got, 'metadata') as JsonObject, 'annotations'), false);
});

test('$setElementOrder puts the items it names in its order, merging the patch list first', () => {
  const original = deploymentWith([{ name: 'a' }, { name: 'b' }, { name: 'x' }]);
  const patch = patchContainers([{ name: 'c', image: 'c' }], { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }, { name: 'c' }] });
  const got = applyStrategicMergePatch(original, patch, deployment);
  // `x` is not named; it sits after every named item that precedes it on the server or is new there.
  assert.deepEqual(names(containersOf(got)), ['b', 'a', 'c', 'x']);
  assert.deepEqual(get(containersOf(got), 2), { name: 'c', image: 'c' });
  assert.deepEqual(directiveKeys(got), []);
});

test('$setElementOrder alone reorders an existing list, primitives included', () => {
  const original: JsonObject = { metadata: { name: 'p', finalizers: ['a', 'b', 'c'] } };
  const got = applyStrategicMergePatch(original, { metadata: { '$setElementOrder/finalizers': ['c', 'a', 'b'] } }, pod);
  assert.deepEqual(get(got, 'metadata', 'finalizers'), ['c', 'a', 'b']);
});

test('$setElementOrder that contradicts the patch list is refused', () => {
  const original = deploymentWith([{ name: 'a' }, { name: 'b' }]);
  const patch = patchContainers([{ name: 'b', image: 'b' }, { name: 'a', image: 'a' }], {
    '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
  });
  assertBadRequest(() => applyStrategicMergePatch(original, patch, deployment), 'spec.template.spec.containers', '$setElementOrder/containers');
});

test('$retainKeys drops the keys of a map it does not list', () => {
  const original = deploymentWith([]);
  (original.spec as JsonObject).strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
  const got = applyStrategicMergePatch(original, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, deployment);
  assert.deepEqual(get(got, 'spec', 'strategy'), { type: 'Recreate' });
  assert.equal(get(got, 'spec', 'replicas'), 2);
});

test('$retainKeys refuses a patched key it does not list', () => {
  const original = deploymentWith([]);
  assertBadRequest(
    () => applyStrategicMergePatch(original, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: {} } } }, deployment),
    'spec.strategy.rollingUpdate',
    '$retainKeys',
  );
});

test('finalizers merge as a set: no duplicates, originals kept', () => {
  const original: JsonObject = { metadata: { name: 'p', finalizers: ['a', 'b'] } };
  const got = applyStrategicMergePatch(original, { metadata: { finalizers: ['b', 'c'] } }, pod);
  assert.deepEqual(get(got, 'metadata', 'finalizers'), ['a', 'b', 'c']);
});

test('$deleteFromPrimitiveList removes values and never creates the list', () => {
  const original: JsonObject = { metadata: { name: 'p', finalizers: ['a', 'b', 'c'] } };
  const got = applyStrategicMergePatch(original, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'zzz'] } }, pod);
  assert.deepEqual(get(got, 'metadata', 'finalizers'), ['a', 'c']);
  const bare = applyStrategicMergePatch({ metadata: { name: 'p' } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, pod);
  assert.deepEqual(bare, { metadata: { name: 'p' } });
});

test('adding and deleting finalizers in one patch, with an order, ends in that order', () => {
  // apimachinery's "add and delete items in lists of scalars".
  const original: JsonObject = { metadata: { finalizers: ['1', '2', '3', '4'] } };
  const patch: JsonObject = {
    metadata: { '$setElementOrder/finalizers': ['1', '2', '4'], '$deleteFromPrimitiveList/finalizers': ['3'], finalizers: ['4'] },
  };
  assert.deepEqual(get(applyStrategicMergePatch(original, patch, pod), 'metadata', 'finalizers'), ['1', '2', '4']);
});

test('service ports merge by port and keep fields the patch does not name', () => {
  const original: JsonObject = {
    metadata: { name: 'web' },
    spec: {
      selector: { app: 'web' },
      ports: [
        { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
      ],
    },
  };
  const got = applyStrategicMergePatch(original, { spec: { ports: [{ port: 443, targetPort: 9443 }] } }, service);
  assert.deepEqual(get(got, 'spec', 'ports'), [
    { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
    { name: 'https', port: 443, targetPort: 9443, protocol: 'TCP' },
  ]);
});

test('null deletes a key at any depth and is dropped from newly added content', () => {
  const original = deploymentWith([{ name: 'app', image: 'app:1', imagePullPolicy: 'Always' }]);
  const patch: JsonObject = {
    metadata: { labels: { tier: null, absent: null } },
    spec: { replicas: null, paused: { reason: null, by: 'me' }, template: { spec: { containers: [{ name: 'app', imagePullPolicy: null }] } } },
  };
  const got = applyStrategicMergePatch(original, patch, deployment);
  assert.deepEqual(get(got, 'metadata', 'labels'), { app: 'web' });
  assert.equal(Object.hasOwn(got.spec as JsonObject, 'replicas'), false);
  assert.deepEqual(get(got, 'spec', 'paused'), { by: 'me' });
  assert.deepEqual(containersOf(got), [{ name: 'app', image: 'app:1' }]);
});

test('lists without merge metadata are replaced whole', () => {
  const original: JsonObject = {
    spec: { tolerations: [{ key: 'a', operator: 'Exists' }], containers: [{ name: 'app', args: ['x', 'y'] }] },
  };
  const got = applyStrategicMergePatch(original, { spec: { tolerations: [{ key: 'b', operator: 'Exists' }], containers: [{ name: 'app', args: ['z'] }] } }, pod);
  assert.deepEqual(get(got, 'spec', 'tolerations'), [{ key: 'b', operator: 'Exists' }]);
  assert.deepEqual(get(got, 'spec', 'containers', 0, 'args'), ['z']);
});

test('job conditions merge by type even though server-side apply treats them as atomic', () => {
  const job = builtinPatchMeta('batch', 'Job');
  const original: JsonObject = { status: { conditions: [{ type: 'Suspended', status: 'False' }] } };
  const got = applyStrategicMergePatch(original, { status: { conditions: [{ type: 'Complete', status: 'True' }] } }, job);
  assert.deepEqual(names(get(got, 'status', 'conditions'), 'type'), ['Complete', 'Suspended']);
});

test('a merge-list item without its merge key is refused, naming the item path', () => {
  const original = deploymentWith([{ name: 'a' }]);
  assertBadRequest(
    () => applyStrategicMergePatch(original, patchContainers([{ name: 'a', image: 'x' }, { image: 'y' }]), deployment),
    'spec.template.spec.containers[1]',
    'merge key "name"',
  );
  assertBadRequest(
    () => applyStrategicMergePatch(original, patchContainers([{ $patch: 'delete' }]), deployment),
    'spec.template.spec.containers[0]',
    'merge key "name"',
  );
});

test('an unknown $patch value is refused, naming the path', () => {
  const original = deploymentWith([{ name: 'a', env: [] }]);
  assertBadRequest(() => applyStrategicMergePatch(original, { spec: { template: { $patch: 'explode' } } }, deployment), 'spec.template', 'explode');
  assertBadRequest(
    () => applyStrategicMergePatch(original, patchContainers([{ name: 'a' }, { name: 'b', $patch: 'bogus' }]), deployment),
    'spec.template.spec.containers[1]',
    'bogus',
  );
  assertBadRequest(() => applyStrategicMergePatch(original, { $patch: 'nope' }, deployment), 'nope');
});

test('a $setElementOrder that is not a list is refused, naming the field', () => {
  const original = deploymentWith([{ name: 'a' }]);
  assertBadRequest(
    () => applyStrategicMergePatch(original, patchContainers([], { '$setElementOrder/containers': { name: 'a' } }), deployment),
    'spec.template.spec.containers',
    'must be a list',
  );
  assertBadRequest(() => applyStrategicMergePatch(original, { spec: { $setElementOrder: [] } }, deployment), 'spec', '$setElementOrder');
});

test('directives in newly added content are applied and never reach the result', () => {
  const original = deploymentWith([{ name: 'app' }]);
  const patch = patchContainers([
    {
      name: 'new',
      env: [{ name: 'GONE', $patch: 'delete' }, { name: 'A' }, { name: 'B' }],
      '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }],
      resources: { $patch: 'replace', limits: { cpu: '1', memory: null } },
      securityContext: { $retainKeys: ['runAsUser'], runAsUser: 1 },
      tolerations: [{ $patch: 'replace' }],
    },
  ]);
  const got = applyStrategicMergePatch(original, patch, deployment);
  assert.deepEqual(directiveKeys(got), []);
  assert.deepEqual(get(containersOf(got), 0), {
    name: 'new',
    env: [{ name: 'A' }, { name: 'B' }],
    resources: { limits: { cpu: '1' } },
    securityContext: { runAsUser: 1 },
    tolerations: [],
  });
});

test('strategic merge patch leaves both inputs untouched and shares no structure with them', () => {
  const original = deepFreeze(
    deploymentWith([{ name: 'app', image: 'a', env: [{ name: 'X', value: '1' }], ports: [{ containerPort: 80 }] }]),
  );
  const patch = deepFreeze(
    patchContainers([{ name: 'app', env: [{ name: 'Y', value: '2' }], volumeMounts: [{ mountPath: '/data', name: 'd' }] }], {
      volumes: [{ name: 'd', emptyDir: {} }],
      '$setElementOrder/containers': [{ name: 'app' }],
    }),
  );
  const before = JSON.stringify({ original, patch });
  const got = applyStrategicMergePatch(original, patch, deployment);
  assert.equal(JSON.stringify({ original, patch }), before);
  const c = get(containersOf(got), 0) as JsonObject;
  (c.ports as JsonObject[])[0].containerPort = 81;
  (c.volumeMounts as JsonObject[])[0].mountPath = '/elsewhere';
  (get(got, 'metadata', 'labels') as JsonObject).app = 'changed';
  assert.equal(JSON.stringify({ original, patch }), before);
});

test('the paths handed to PatchMeta name fields only, with list items contributing nothing', () => {
  const asked: string[] = [];
  const spy: PatchMeta = {
    list(path) {
      asked.push(path.join('.'));
      return pod.list(path);
    },
  };
  const original: JsonObject = { spec: { containers: [{ name: 'a', ports: [{ containerPort: 1 }] }] } };
  applyStrategicMergePatch(original, { spec: { containers: [{ name: 'a', ports: [{ containerPort: 2 }] }] } }, spy);
  assert.deepEqual(asked, ['spec.containers', 'spec.containers.ports']);
});
