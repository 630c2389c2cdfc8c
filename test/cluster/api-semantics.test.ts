/**
 * The API server's REST semantics over real HTTP: CRUD, optimistic concurrency, generation,
 * status subresource, selectors, paging, watch (resume, bookmarks, 410), errors as Status objects.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../support/in-process-cluster.js';

interface Obj {
  metadata: { name: string; namespace?: string; uid: string; resourceVersion: string; generation?: number; labels?: Record<string, string>; deletionTimestamp?: string; finalizers?: string[]; creationTimestamp?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
}
interface List {
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: Obj[];
}
interface Status {
  kind: string;
  code: number;
  reason: string;
  message: string;
  details?: { causes?: { field: string; reason: string; message: string }[] };
}

const deployment = (name: string, replicas = 1) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
  },
});

describe('API semantics', () => {
  let t: TestCluster;
  before(async () => {
    t = await startTestCluster({ bookmarkIntervalMs: 200, watchHistory: 50, ...(process.env.DEBUG_CLUSTER ? { logger: (await import('pino')).pino({ level: 'debug' }) } : {}) });
  });
  after(async () => t.dispose());

  test('health, version and authentication: no token is 401, a wrong token is 401, health is public', async () => {
    const anon = t.api.withToken(undefined);
    assert.equal((await anon.get('/readyz')).text, 'ok');
    assert.equal((await anon.get('/version')).body.gitVersion, 'v1.34.0-argosy');
    const denied = await anon.get<Status>('/api/v1/namespaces');
    assert.equal(denied.status, 401);
    assert.equal(denied.body.kind, 'Status');
    assert.equal(denied.body.reason, 'Unauthorized');
    const wrong = t.api.withToken('not-the-token');
    assert.equal((await wrong.get('/api/v1/namespaces')).status, 401);
  });

  test('system namespaces exist and create fills uid, creationTimestamp, resourceVersion and generation', async () => {
    const ns = await t.api.get<List>('/api/v1/namespaces');
    assert.deepEqual(ns.body.items.map((n) => n.metadata.name).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    const res = await t.api.post<Obj>('/apis/apps/v1/namespaces/default/deployments', deployment('web'));
    assert.equal(res.status, 201);
    assert.match(res.body.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(res.body.metadata.creationTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(res.body.metadata.generation, 1);
    assert.ok(Number(res.body.metadata.resourceVersion) > 0);
    const again = await t.api.post<Status>('/apis/apps/v1/namespaces/default/deployments', deployment('web'));
    assert.equal(again.status, 409);
    assert.equal(again.body.reason, 'AlreadyExists');
    assert.equal(again.body.message, 'deployments.apps "web" already exists');
  });

  test('generateName produces a unique name with the prefix', async () => {
    const res = await t.api.post<Obj>('/api/v1/namespaces/default/configmaps', { metadata: { generateName: 'gen-' } });
    assert.equal(res.status, 201);
    assert.match(res.body.metadata.name, /^gen-[a-z0-9]{5}$/);
  });

  test('update with a stale resourceVersion is 409 Conflict; spec changes bump generation, status writes do not', async () => {
    const created = await t.api.post<Obj>('/apis/apps/v1/namespaces/default/deployments', deployment('occ'));
    const v1 = created.body;
    const upd = await t.api.put<Obj>('/apis/apps/v1/namespaces/default/deployments/occ', { ...deployment('occ', 3), metadata: { ...deployment('occ').metadata, resourceVersion: v1.metadata.resourceVersion } });
    assert.equal(upd.status, 200);
    assert.equal(upd.body.metadata.generation, 2);
    const stale = await t.api.put<Status>('/apis/apps/v1/namespaces/default/deployments/occ', { ...deployment('occ', 4), metadata: { ...deployment('occ').metadata, resourceVersion: v1.metadata.resourceVersion } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.match(stale.body.message, /the object has been modified; please apply your changes to the latest version and try again/);
    const status = await t.api.patch<Obj>('/apis/apps/v1/namespaces/default/deployments/occ/status', { status: { replicas: 3, observedGeneration: 2 } }, 'application/merge-patch+json');
    assert.equal(status.status, 200);
    assert.equal(status.body.metadata.generation, 2, 'status writes do not bump generation');
    assert.equal(status.body.status?.replicas, 3);
    // The main resource ignores status; the status subresource ignores spec.
    const mainWithStatus = await t.api.patch<Obj>('/apis/apps/v1/namespaces/default/deployments/occ', { status: { replicas: 99 } }, 'application/merge-patch+json');
    assert.equal(mainWithStatus.body.status?.replicas, 3);
    const noop = await t.api.patch<Obj>('/apis/apps/v1/namespaces/default/deployments/occ', { spec: { replicas: 3 } }, 'application/merge-patch+json');
    assert.equal(noop.body.metadata.resourceVersion, status.body.metadata.resourceVersion, 'a no-op write keeps the resourceVersion');
  });

  test('strategic merge patch merges containers by name; JSON patch and merge patch apply', async () => {
    const d = deployment('smp');
    (d.spec.template.spec.containers as object[]).push({ name: 'sidecar', image: 'busybox:1.36' });
    await t.api.post('/apis/apps/v1/namespaces/default/deployments', d);
    const smp = await t.api.patch<{ spec: { template: { spec: { containers: { name: string; image: string }[] } } } }>(
      '/apis/apps/v1/namespaces/default/deployments/smp',
      { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } },
      'application/strategic-merge-patch+json',
    );
    assert.equal(smp.status, 200);
    assert.deepEqual(smp.body.spec.template.spec.containers.map((c) => `${c.name}=${c.image}`), ['web=nginx:1.28', 'sidecar=busybox:1.36']);
    const jp = await t.api.patch<Obj>('/apis/apps/v1/namespaces/default/deployments/smp', [{ op: 'replace', path: '/spec/replicas', value: 4 }], 'application/json-patch+json');
    assert.equal(jp.body.spec?.replicas, 4);
    const badTest = await t.api.patch<Status>('/apis/apps/v1/namespaces/default/deployments/smp', [{ op: 'test', path: '/spec/replicas', value: 5 }], 'application/json-patch+json');
    assert.equal(badTest.status, 422);
    const unsupported = await t.api.request<Status>('PATCH', '/apis/apps/v1/namespaces/default/deployments/smp', '{}', { 'Content-Type': 'text/plain' });
    assert.equal(unsupported.status, 415);
  });

  test('validation errors are 422 Invalid with a cause per bad field', async () => {
    const bad = deployment('Bad_Name');
    (bad.spec.template.spec.containers[0] as { image?: string }).image = undefined;
    const res = await t.api.post<Status>('/apis/apps/v1/namespaces/default/deployments', bad);
    assert.equal(res.status, 422);
    assert.equal(res.body.reason, 'Invalid');
    const fields = (res.body.details?.causes ?? []).map((c) => c.field);
    assert.ok(fields.includes('metadata.name'), `causes name metadata.name: ${JSON.stringify(fields)}`);
    assert.ok(fields.includes('spec.template.spec.containers[0].image'), `causes name the image: ${JSON.stringify(fields)}`);
  });

  test('malformed JSON and YAML say where they broke; oversized bodies are 413; unknown paths 404; wrong verbs 405', async () => {
    const json = await t.api.request<Status>('POST', '/api/v1/namespaces/default/configmaps', '{"metadata": {"name": "x",}}', { 'Content-Type': 'application/json' });
    assert.equal(json.status, 400);
    assert.match(json.body.message, /line 1, column \d+/);
    const yaml = await t.api.request<Status>('POST', '/api/v1/namespaces/default/configmaps', 'metadata:\n  name: x\n   bad: [\n', { 'Content-Type': 'application/yaml' });
    assert.equal(yaml.status, 400);
    assert.match(yaml.body.message, /line \d+, column \d+/);
    const big = await t.api.post<Status>('/api/v1/namespaces/default/configmaps', { metadata: { name: 'big' }, data: { x: 'a'.repeat(3 * 1024 * 1024 + 10) } });
    assert.equal(big.status, 413);
    assert.equal(big.body.reason, 'RequestEntityTooLarge');
    assert.equal((await t.api.get<Status>('/apis/nope.example.com/v1/things')).status, 404);
    assert.equal((await t.api.get<Status>('/api/v1/namespaces/default/configmaps/missing')).body.message, 'configmaps "missing" not found');
    const notAllowed = await t.api.request<Status>('POST', '/api/v1/namespaces/default/configmaps/x', {});
    assert.equal(notAllowed.status, 405);
    assert.equal((await t.api.post<Status>('/api/v1/namespaces/nowhere/configmaps', { metadata: { name: 'a' } })).status, 404);
  });

  test('label selectors (equality and set-based) and field selectors filter lists; bad selectors are 400', async () => {
    for (const [name, tier] of [['s1', 'web'], ['s2', 'db'], ['s3', 'cache']]) {
      await t.api.post('/api/v1/namespaces/default/configmaps', { metadata: { name, labels: { suite: 'sel', tier } } });
    }
    const names = async (q: string) => (await t.api.get<List>(`/api/v1/namespaces/default/configmaps?${q}`)).body.items.map((i) => i.metadata.name).sort();
    assert.deepEqual(await names('labelSelector=suite%3Dsel,tier%3Dweb'), ['s1']);
    assert.deepEqual(await names('labelSelector=' + encodeURIComponent('suite=sel,tier in (db,cache)')), ['s2', 's3']);
    assert.deepEqual(await names('labelSelector=' + encodeURIComponent('suite=sel,tier notin (db)')), ['s1', 's3']);
    assert.deepEqual(await names('fieldSelector=metadata.name%3Ds2'), ['s2']);
    assert.equal((await t.api.get('/api/v1/namespaces/default/configmaps?labelSelector=' + encodeURIComponent('tier in (db'))).status, 400);
    assert.equal((await t.api.get('/api/v1/namespaces/default/configmaps?fieldSelector=spec.nope%3Dx')).status, 400);
  });

  test('limit/continue pages through a consistent snapshot', async () => {
    await t.api.post('/api/v1/namespaces', { metadata: { name: 'paging' } });
    for (let i = 0; i < 7; i++) await t.api.post('/api/v1/namespaces/paging/configmaps', { metadata: { name: `p${i}` } });
    const first = await t.api.get<List>('/api/v1/namespaces/paging/configmaps?limit=3');
    assert.deepEqual(first.body.items.map((i) => i.metadata.name), ['p0', 'p1', 'p2']);
    assert.equal(first.body.metadata.remainingItemCount, 4);
    // Changes after the first page do not show in later pages of the same list.
    await t.api.delete('/api/v1/namespaces/paging/configmaps/p4');
    await t.api.post('/api/v1/namespaces/paging/configmaps', { metadata: { name: 'p9' } });
    const second = await t.api.get<List>(`/api/v1/namespaces/paging/configmaps?limit=3&continue=${first.body.metadata.continue}`);
    assert.deepEqual(second.body.items.map((i) => i.metadata.name), ['p3', 'p4', 'p5']);
    assert.equal(second.body.metadata.resourceVersion, first.body.metadata.resourceVersion);
    const third = await t.api.get<List>(`/api/v1/namespaces/paging/configmaps?limit=3&continue=${second.body.metadata.continue}`);
    assert.deepEqual(third.body.items.map((i) => i.metadata.name), ['p6']);
    assert.equal(third.body.metadata.continue, undefined);
  });

  test('watch resumes from a resourceVersion, sends bookmarks, and answers 410 for a version too old', async () => {
    await t.api.post('/api/v1/namespaces', { metadata: { name: 'watching' } });
    const start = (await t.api.get<List>('/api/v1/namespaces/watching/configmaps')).body.metadata.resourceVersion;
    await t.api.post('/api/v1/namespaces/watching/configmaps', { metadata: { name: 'w1' }, data: { a: '1' } });
    await t.api.patch('/api/v1/namespaces/watching/configmaps/w1', { data: { a: '2' } }, 'application/merge-patch+json');
    await t.api.delete('/api/v1/namespaces/watching/configmaps/w1');
    const events = await t.api.watch<Obj & Status>(`/api/v1/namespaces/watching/configmaps?watch=true&resourceVersion=${start}&allowWatchBookmarks=true`, 4);
    assert.deepEqual(events.slice(0, 3).map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
    assert.equal(events[1].object.data?.a, '2');
    assert.equal(events[3].type, 'BOOKMARK', 'a bookmark follows within the interval');
    assert.ok(Number(events[3].object.metadata.resourceVersion) >= Number(events[2].object.metadata.resourceVersion));

    // Push the start version out of the (deliberately small) history.
    for (let i = 0; i < 80; i++) await t.api.post('/api/v1/namespaces/watching/configmaps', { metadata: { name: `fill${i}` } });
    const gone = await t.api.watch<Obj & Status>(`/api/v1/namespaces/watching/configmaps?watch=true&resourceVersion=${start}`, 1);
    assert.equal(gone[0].type, 'ERROR');
    assert.equal(gone[0].object.code, 410);
    assert.equal(gone[0].object.reason, 'Expired');
  });

  test('a watch with a label selector sees an object leave the selector as DELETED', async () => {
    await t.api.post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'sel-move', labels: { watch: 'yes' } } });
    const rv = (await t.api.get<Obj>('/api/v1/namespaces/default/configmaps/sel-move')).body.metadata.resourceVersion;
    const pending = t.api.watch<Obj & Status>(`/api/v1/namespaces/default/configmaps?watch=1&labelSelector=watch%3Dyes&resourceVersion=${rv}`, 1);
    await new Promise((r) => setTimeout(r, 100));
    await t.api.patch('/api/v1/namespaces/default/configmaps/sel-move', { metadata: { labels: { watch: 'no' } } }, 'application/merge-patch+json');
    const [e] = await pending;
    assert.equal(e.type, 'DELETED');
    assert.equal(e.object.metadata.labels?.watch, 'no');
  });

  test('finalizers hold deletion; deleting a namespace terminates it and removes its content', async () => {
    await t.api.post('/api/v1/namespaces', { metadata: { name: 'doomed' } });
    await t.api.post('/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    await t.api.post('/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'free' } });
    const del = await t.api.delete<Obj & { status: { phase: string } }>('/api/v1/namespaces/doomed');
    assert.equal(del.status, 202);
    assert.equal(del.body.status.phase, 'Terminating');
    const create = await t.api.post<Status>('/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'late' } });
    assert.equal(create.status, 403, 'no new content in a terminating namespace');
    await waitFor(async () => (await t.api.get('/api/v1/namespaces/doomed/configmaps/free')).status === 404);
    const held = await t.api.get<Obj>('/api/v1/namespaces/doomed/configmaps/held');
    assert.ok(held.body.metadata.deletionTimestamp, 'the held object is marked for deletion');
    assert.equal((await t.api.get('/api/v1/namespaces/doomed')).status, 200, 'the namespace waits for its content');
    await t.api.patch('/api/v1/namespaces/doomed/configmaps/held', { metadata: { finalizers: null } }, 'application/merge-patch+json');
    await waitFor(async () => (await t.api.get('/api/v1/namespaces/doomed')).status === 404);
  });

  test('ownerReferences: background deletes dependents, orphan keeps them, foreground deletes them first', async () => {
    const mk = async (name: string, owner?: Obj) =>
      (
        await t.api.post<Obj>('/api/v1/namespaces/default/configmaps', {
          metadata: { name, ...(owner ? { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata.name, uid: owner.metadata.uid, blockOwnerDeletion: true }] } : {}) },
        })
      ).body;
    const bg = await mk('bg-owner');
    await mk('bg-child', bg);
    await t.api.delete('/api/v1/namespaces/default/configmaps/bg-owner', { propagationPolicy: 'Background' });
    await waitFor(async () => (await t.api.get('/api/v1/namespaces/default/configmaps/bg-child')).status === 404);

    const or = await mk('or-owner');
    await mk('or-child', or);
    await t.api.delete('/api/v1/namespaces/default/configmaps/or-owner', { propagationPolicy: 'Orphan' });
    await waitFor(async () => (await t.api.get('/api/v1/namespaces/default/configmaps/or-owner')).status === 404);
    const orphan = await t.api.get<Obj & { metadata: { ownerReferences?: unknown[] } }>('/api/v1/namespaces/default/configmaps/or-child');
    assert.equal(orphan.status, 200);
    assert.equal(orphan.body.metadata.ownerReferences, undefined);

    const fg = await mk('fg-owner');
    const child = await mk('fg-child', fg);
    await t.api.patch(`/api/v1/namespaces/default/configmaps/fg-child`, { metadata: { finalizers: ['example.com/slow'], resourceVersion: child.metadata.resourceVersion } }, 'application/merge-patch+json');
    const del = await t.api.delete<Obj>('/api/v1/namespaces/default/configmaps/fg-owner', { propagationPolicy: 'Foreground' });
    assert.equal(del.status, 202);
    assert.ok(del.body.metadata.finalizers?.includes('foregroundDeletion'));
    await waitFor(async () => Boolean((await t.api.get<Obj>('/api/v1/namespaces/default/configmaps/fg-child')).body.metadata.deletionTimestamp));
    assert.equal((await t.api.get('/api/v1/namespaces/default/configmaps/fg-owner')).status, 200, 'the owner waits for its blocking dependent');
    await t.api.patch('/api/v1/namespaces/default/configmaps/fg-child', { metadata: { finalizers: null } }, 'application/merge-patch+json');
    await waitFor(async () => (await t.api.get('/api/v1/namespaces/default/configmaps/fg-owner')).status === 404);
  });

  test('delete preconditions and dry run', async () => {
    const cm = (await t.api.post<Obj>('/api/v1/namespaces/default/configmaps', { metadata: { name: 'pre' } })).body;
    const wrong = await t.api.delete<Status>('/api/v1/namespaces/default/configmaps/pre', { preconditions: { uid: 'not-it' } });
    assert.equal(wrong.status, 409);
    assert.match(wrong.body.message, /Precondition failed: UID in precondition/);
    const dry = await t.api.delete('/api/v1/namespaces/default/configmaps/pre?dryRun=All');
    assert.equal(dry.status, 200);
    assert.equal((await t.api.get('/api/v1/namespaces/default/configmaps/pre')).status, 200, 'dry run deletes nothing');
    assert.equal((await t.api.delete('/api/v1/namespaces/default/configmaps/pre', { preconditions: { uid: cm.metadata.uid } })).status, 200);
  });

  test('deletecollection removes what matches the selector only', async () => {
    await t.api.post('/api/v1/namespaces', { metadata: { name: 'dc' } });
    for (const n of ['a', 'b', 'c']) await t.api.post('/api/v1/namespaces/dc/configmaps', { metadata: { name: n, labels: { gone: n === 'c' ? 'no' : 'yes' } } });
    const res = await t.api.delete('/api/v1/namespaces/dc/configmaps?labelSelector=gone%3Dyes');
    assert.equal(res.status, 200);
    const left = await t.api.get<List>('/api/v1/namespaces/dc/configmaps');
    assert.deepEqual(left.body.items.map((i) => i.metadata.name), ['c']);
  });

  test('a created CRD is served within a second, validates instances and serves scale', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wg'] },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', required: ['size'], properties: { size: { type: 'string', enum: ['S', 'M', 'L'] }, replicas: { type: 'integer', minimum: 0, default: 1 } } }, status: { type: 'object', properties: { replicas: { type: 'integer' } } } } } },
          },
        ],
      },
    };
    const started = Date.now();
    assert.equal((await t.api.post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status, 201);
    await waitFor(async () => (await t.api.get('/apis/example.com/v1/namespaces/default/widgets')).status === 200, 1000);
    assert.ok(Date.now() - started < 1000, 'served within a second');
    const ok = await t.api.post<Obj>('/apis/example.com/v1/namespaces/default/widgets', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 'M', extra: 'pruned' } });
    assert.equal(ok.status, 201);
    assert.equal(ok.body.spec?.replicas, 1, 'schema default applied');
    assert.equal(ok.body.spec?.extra, undefined, 'unknown field pruned');
    const strict = await t.api.post<Status>('/apis/example.com/v1/namespaces/default/widgets?fieldValidation=Strict', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w2' }, spec: { size: 'M', extra: 1 } });
    assert.equal(strict.status, 400);
    assert.match(strict.body.message, /unknown field "spec.extra"/);
    const bad = await t.api.post<Status>('/apis/example.com/v1/namespaces/default/widgets', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w3' }, spec: { size: 'XL', replicas: -1 } });
    assert.equal(bad.status, 422);
    const fields = (bad.body.details?.causes ?? []).map((c) => c.field).sort();
    assert.deepEqual(fields, ['spec.replicas', 'spec.size']);
    const scaled = await t.api.patch<{ spec: { replicas: number } }>('/apis/example.com/v1/namespaces/default/widgets/w/scale', { spec: { replicas: 4 } }, 'application/merge-patch+json');
    assert.equal(scaled.status, 200);
    assert.equal(scaled.body.spec.replicas, 4);
    assert.equal((await t.api.get<Obj>('/apis/example.com/v1/namespaces/default/widgets/w')).body.spec?.replicas, 4);
    const smp = await t.api.patch('/apis/example.com/v1/namespaces/default/widgets/w', { spec: { size: 'L' } }, 'application/strategic-merge-patch+json');
    assert.equal(smp.status, 415, 'strategic merge patch is refused for custom resources');
    const crdNow = await t.api.get<{ status: { conditions: { type: string; status: string }[] } }>('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com');
    const established = crdNow.body.status.conditions.find((c) => c.type === 'Established');
    assert.equal(established?.status, 'True');
    // Deleting the CRD deletes its instances.
    await t.api.delete('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com');
    await waitFor(async () => (await t.api.get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com')).status === 404);
    const after = await t.api.get('/apis/example.com/v1/namespaces/default/widgets');
    assert.equal(after.status, 404, after.text.slice(0, 300));
  });

  test('RBAC: a user without a binding is 403 with Kubernetes wording; a RoleBinding grants access', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    fs.appendFileSync(path.join(t.dataDir, 'tokens.csv'), 'bob-token,bob,bob-uid,"dev"\n');
    // Token files are read at start; restart on the same data dir to pick it up.
    const { startTestCluster: restart } = await import('../support/in-process-cluster.js');
    await t.cluster.close();
    t = await restart({ dataDir: t.dataDir, bookmarkIntervalMs: 200, watchHistory: 50 });
    const bob = t.api.withToken('bob-token');
    const denied = await bob.get<Status>('/api/v1/namespaces/default/configmaps');
    assert.equal(denied.status, 403);
    assert.equal(denied.body.message, 'configmaps is forbidden: User "bob" cannot list resource "configmaps" in API group "" in the namespace "default"');
    await t.api.post('/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', { metadata: { name: 'cm-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] });
    await t.api.post('/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', { metadata: { name: 'bob-reads' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' }, subjects: [{ kind: 'Group', name: 'dev' }] });
    assert.equal((await bob.get('/api/v1/namespaces/default/configmaps')).status, 200);
    assert.equal((await bob.get('/api/v1/namespaces/kube-system/configmaps')).status, 403);
    assert.equal((await bob.post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'nope' } })).status, 403);
    // Escalation prevention: bob may manage rolebindings in default, but not grant what he lacks.
    await t.api.post('/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', { metadata: { name: 'binder' }, rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings', 'roles'], verbs: ['create'] }] });
    await t.api.post('/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', { metadata: { name: 'bob-binds' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'binder' }, subjects: [{ kind: 'User', name: 'bob' }] });
    await t.api.post('/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name: 'secret-reader' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] });
    const escalate = await bob.post<Status>('/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', { metadata: { name: 'grab-secrets' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'secret-reader' }, subjects: [{ kind: 'User', name: 'bob' }] });
    assert.equal(escalate.status, 403);
    assert.match(escalate.body.message, /is attempting to grant RBAC permissions not currently held/);
    const widerRole = await bob.post<Status>('/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', { metadata: { name: 'wider' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }] });
    assert.equal(widerRole.status, 403);
    const sameRights = await bob.post('/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', { metadata: { name: 'narrow' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] });
    assert.equal(sameRights.status, 201, 'granting what one holds is allowed');
    const review = await bob.post<{ status: { allowed: boolean } }>('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'list', resource: 'configmaps', namespace: 'default' } } });
    assert.equal(review.body.status.allowed, true);
  });

  test('pods/log picks the container like Kubernetes and says which to choose', async () => {
    const pod = (name: string, containers: string[]) => ({ metadata: { name }, spec: { containers: containers.map((c) => ({ name: c, image: 'busybox' })) } });
    await t.api.post('/api/v1/namespaces/default/pods', pod('one', ['main']));
    await t.api.post('/api/v1/namespaces/default/pods', pod('two', ['app', 'sidecar']));
    const created = await t.api.get<Obj>('/api/v1/namespaces/default/pods/one');
    assert.equal(created.body.status?.phase, 'Pending');
    const one = await t.api.get('/api/v1/namespaces/default/pods/one/log');
    assert.equal(one.status, 200, 'an unscheduled pod has an empty log');
    assert.equal(one.text, '');
    const ambiguous = await t.api.get<Status>('/api/v1/namespaces/default/pods/two/log');
    assert.equal(ambiguous.status, 400);
    assert.equal(ambiguous.body.message, 'a container name must be specified for pod two, choose one of: [app sidecar]');
    assert.equal((await t.api.get<Status>('/api/v1/namespaces/default/pods/two/log?container=nope')).body.message, 'container nope is not valid for pod two');
    assert.equal((await t.api.get('/api/v1/namespaces/default/pods/two/log?container=sidecar')).status, 200);
    assert.equal((await t.api.get('/api/v1/namespaces/default/pods/absent/log')).status, 404);
  });

  test('a CRD with two served versions stores once and serves each version; watch honours timeoutSeconds', async () => {
    const schema = { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } };
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Cluster',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
        versions: [
          { name: 'v1beta1', served: true, storage: false, schema },
          { name: 'v1', served: true, storage: true, schema },
        ],
      },
    };
    assert.equal((await t.api.post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status, 201);
    await waitFor(async () => (await t.api.get('/apis/example.com/v1beta1/gadgets')).status === 200);
    const created = await t.api.post<Obj & { apiVersion: string }>('/apis/example.com/v1beta1/gadgets', { apiVersion: 'example.com/v1beta1', kind: 'Gadget', metadata: { name: 'g' }, spec: { size: 2 } });
    assert.equal(created.status, 201);
    assert.equal(created.body.apiVersion, 'example.com/v1beta1');
    const asV1 = await t.api.get<Obj & { apiVersion: string }>('/apis/example.com/v1/gadgets/g');
    assert.equal(asV1.body.apiVersion, 'example.com/v1', 'the same object is served at the other version');
    assert.equal(asV1.body.metadata.uid, created.body.metadata.uid);
    const group = await t.api.get<{ preferredVersion: { version: string } }>('/apis/example.com');
    assert.equal(group.body.preferredVersion.version, 'v1');
    const crdNow = await t.api.get<{ status: { storedVersions: string[] } }>('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com');
    assert.deepEqual(crdNow.body.status.storedVersions, ['v1']);

    const started = Date.now();
    const events = await t.api.watch('/apis/example.com/v1/gadgets?watch=true&timeoutSeconds=1', 100, 5000);
    const took = Date.now() - started;
    assert.deepEqual(events.map((e) => e.type), ['ADDED'], 'the initial state, then the stream ends');
    assert.ok(took >= 900 && took < 3000, `the watch ended after its timeout (${took} ms)`);
  });

  test('regressions: a terminating pod survives status updates in its grace period; namespace finalizers change only via finalize; PUT keeps field owners', async () => {
    await t.api.post('/api/v1/namespaces/default/pods', { metadata: { name: 'graceful' }, spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox' }] } });
    const del = await t.api.delete<Obj & { metadata: { deletionGracePeriodSeconds?: number } }>('/api/v1/namespaces/default/pods/graceful');
    assert.equal(del.status, 202);
    assert.equal(del.body.metadata.deletionGracePeriodSeconds, 30);
    assert.equal((await t.api.patch('/api/v1/namespaces/default/pods/graceful/status', { status: { message: 'stopping' } }, 'application/merge-patch+json')).status, 200);
    assert.equal((await t.api.get('/api/v1/namespaces/default/pods/graceful')).status, 200, 'still there until its kubelet deletes it with grace 0');
    assert.equal((await t.api.delete('/api/v1/namespaces/default/pods/graceful', { gracePeriodSeconds: 0 })).status, 200);
    assert.equal((await t.api.get('/api/v1/namespaces/default/pods/graceful')).status, 404);

    await t.api.post('/api/v1/namespaces', { metadata: { name: 'keepfin' } });
    const put = await t.api.put<{ spec: { finalizers: string[] } }>('/api/v1/namespaces/keepfin', { metadata: { name: 'keepfin' }, spec: {} });
    assert.deepEqual(put.body.spec.finalizers, ['kubernetes']);

    await t.api.post('/api/v1/namespaces/default/configmaps?fieldManager=creator', { metadata: { name: 'owned' }, data: { a: '1' } });
    const replaced = await t.api.put<{ metadata: { managedFields?: { manager: string }[] } }>('/api/v1/namespaces/default/configmaps/owned?fieldManager=replacer', { metadata: { name: 'owned' }, data: { a: '1', b: '2' } });
    assert.deepEqual(replaced.body.metadata.managedFields?.map((m) => m.manager).sort(), ['creator', 'replacer']);
  });

  async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.fail(`condition not met within ${timeoutMs} ms`);
  }
});
