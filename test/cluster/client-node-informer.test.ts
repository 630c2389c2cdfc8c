/**
 * @kubernetes/client-node against the embedded cluster: an informer receives add, update and
 * delete events, and recovers (re-lists) after its resourceVersion falls out of history (410).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startTestCluster, eventually, type TestCluster } from '../support/in-process-cluster.js';

let t: TestCluster;
before(async () => {
  // A tiny history and short watches make the 410 path reachable in a test.
  t = await startTestCluster({ watchHistory: 16, minRequestTimeoutSeconds: 1, bookmarkIntervalMs: 60_000 });
  await t.api.post('/api/v1/namespaces', { metadata: { name: 'inf' } });
  await t.api.post('/api/v1/namespaces', { metadata: { name: 'noise' } });
});
after(async () => t.dispose());

test('an informer gets add/update/delete events and re-lists after a 410 Gone', async () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(t.cluster.kubeconfigPath);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  let lists = 0;
  const listFn = () => {
    lists++;
    return core.listNamespacedConfigMap({ namespace: 'inf' });
  };
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/inf/configmaps', listFn);
  const seen: string[] = [];
  informer.on('add', (o) => seen.push(`add:${o.metadata?.name}`));
  informer.on('update', (o) => seen.push(`update:${o.metadata?.name}:${o.data?.v}`));
  informer.on('delete', (o) => seen.push(`delete:${o.metadata?.name}`));
  const errors: unknown[] = [];
  informer.on('error', (e) => errors.push(e));
  await informer.start();
  try {
    await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'a' }, data: { v: '1' } } });
    await core.patchNamespacedConfigMap({ namespace: 'inf', name: 'a', body: { data: { v: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await core.deleteNamespacedConfigMap({ namespace: 'inf', name: 'a' });
    await eventually('add/update/delete', async () => seen.includes('delete:a'));
    assert.deepEqual(seen, ['add:a', 'update:a:2', 'delete:a']);
    assert.equal(lists, 1);

    // Writes elsewhere advance the cluster's resourceVersion past the informer's history window;
    // when its watch ends (after ~1 s) it resumes from a version that is gone and must re-list.
    for (let i = 0; i < 60; i++) await core.createNamespacedConfigMap({ namespace: 'noise', body: { metadata: { name: `n${i}` } } });
    await eventually('a re-list after 410', async () => lists >= 2, 8000);
    await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'b' } } });
    await eventually('events after recovery', async () => seen.includes('add:b'));
    assert.deepEqual(errors, [], 'the 410 is recovered from, not surfaced as an error');
    assert.deepEqual(informer.list('inf').map((o) => o.metadata?.name), ['b']);
  } finally {
    await informer.stop();
  }
});
