/** `POST pods/NAME/binding`: how a scheduler sets spec.nodeName (a pod update may not). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../support/in-process-cluster.js';

let tc: TestCluster;
const pods = '/api/v1/namespaces/default/pods';

before(async () => {
  tc = await startTestCluster();
});
after(() => tc.dispose());

test('binding sets nodeName and PodScheduled once; a second binding conflicts', async () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
  assert.equal((await tc.api.post(pods, pod)).status, 201);
  const update = await tc.api.get<Record<string, { nodeName?: string }>>(`${pods}/p`);
  update.body.spec.nodeName = 'elsewhere';
  assert.equal((await tc.api.put(`${pods}/p`, update.body)).status, 422, 'a pod update cannot bind');

  const bound = await tc.api.post(`${pods}/p/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { apiVersion: 'v1', kind: 'Node', name: 'n1' } });
  assert.equal(bound.status, 201, bound.text);
  const after = (await tc.api.get<{ spec: { nodeName: string }; status: { conditions: { type: string; status: string }[] } }>(`${pods}/p`)).body;
  assert.equal(after.spec.nodeName, 'n1');
  assert.deepEqual(after.status.conditions.find((c) => c.type === 'PodScheduled')?.status, 'True');

  const again = await tc.api.post(`${pods}/p/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { name: 'n2' } });
  assert.equal(again.status, 409);
  assert.match(again.text, /already assigned to node \\"n1\\"/);
  const missing = await tc.api.post(`${pods}/p/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: {} });
  assert.equal(missing.status, 422);
  assert.match(missing.text, /target\.name/);
});
