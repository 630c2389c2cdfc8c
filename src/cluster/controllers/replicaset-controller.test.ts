import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../objects.js';
import { ApiError } from '../errors.js';
import { podTemplate, startHarness, waitFor, type Harness } from './deployment/test-harness.js';

interface RSStatus {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: { type: string; status: string; reason: string; message: string }[];
}

const statusOf = (rs: KubeObject | undefined): RSStatus => (rs?.status as RSStatus | undefined) ?? {};

function replicaSet(name: string, replicas: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: podTemplate({ app: name, tier: 'web' }), ...extra },
  };
}

describe('ReplicaSet controller', { concurrency: false }, () => {
  let h: Harness;
  const podsOf = (rs: KubeObject | undefined): KubeObject[] =>
    h.list('', 'pods').filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === rs?.metadata.uid) && !p.metadata.deletionTimestamp);

  before(async () => {
    // Two of every five pods never turn ready, so that scale-down preferences can be observed.
    let n = 0;
    h = await startHarness({
      deployments: false,
      readyWhen: (pod) => !pod.metadata.labels?.flaky || n++ % 5 < 3,
      // The timing test measures the controller, not the stand-in kubelet.
      ignore: (pod) => pod.metadata.labels?.app === 'many',
    });
  });
  after(async () => {
    await h.dispose();
  });

  test('creates the missing pods from the template, owned and labelled, and reports their readiness', async () => {
    await h.create('apps', 'replicasets', replicaSet('web', 3));
    const rs = await waitFor('3 ready replicas', () => {
      const cur = h.get('apps', 'replicasets', 'web');
      return statusOf(cur).availableReplicas === 3 && cur;
    });
    assert.deepEqual(
      { ...statusOf(rs), conditions: undefined },
      { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1, conditions: undefined },
    );
    const pods = podsOf(rs);
    assert.equal(pods.length, 3);
    for (const pod of pods) {
      assert.match(pod.metadata.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.equal(pod.metadata.generateName, 'web-');
      assert.deepEqual(pod.metadata.labels, { app: 'web', tier: 'web' });
      assert.deepEqual(pod.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    await waitFor('SuccessfulCreate events', () => h.events('web').filter((e) => e.reason === 'SuccessfulCreate').length === 3);
    const created = h.events('web').filter((e) => e.reason === 'SuccessfulCreate');
    assert.deepEqual(created.map((e) => e.message).sort(), pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
    assert.equal(created[0].source, 'replicaset-controller');
  });

  // How fast is measured by bench/ (deployment-ready); this checks that slow start reaches 100.
  test('100 replicas are all created', async () => {
    await h.create('apps', 'replicasets', replicaSet('many', 100));
    await waitFor('100 pods', () => podsOf(h.get('apps', 'replicasets', 'many')).length === 100, 20_000);
    await waitFor('status.replicas 100', () => statusOf(h.get('apps', 'replicasets', 'many')).replicas === 100);
    await h.remove('apps', 'replicasets', 'many');
    await waitFor('the GC removes the pods', () => h.list('', 'pods').every((p) => !p.metadata.generateName?.startsWith('many-')));
  });

  test('scaling down deletes not-ready pods before ready ones', async () => {
    const flaky = replicaSet('flaky', 5);
    (flaky.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels.flaky = 'yes';
    (flaky.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels.flaky = 'yes';
    await h.create('apps', 'replicasets', flaky);
    await waitFor('5 pods reported, 3 ready', () => {
      const s = statusOf(h.get('apps', 'replicasets', 'flaky'));
      const pods = podsOf(h.get('apps', 'replicasets', 'flaky'));
      return s.readyReplicas === 3 && pods.every((p) => (p.status as { phase?: string }).phase === 'Running');
    });
    const ready = podsOf(h.get('apps', 'replicasets', 'flaky')).filter((p) => (p.status as { conditions: { type: string; status: string }[] }).conditions.some((c) => c.type === 'Ready' && c.status === 'True'));
    await h.patch('apps', 'replicasets', 'flaky', { spec: { replicas: 3 } });
    await waitFor('3 pods left', () => podsOf(h.get('apps', 'replicasets', 'flaky')).length === 3);
    assert.deepEqual(podsOf(h.get('apps', 'replicasets', 'flaky')).map((p) => p.metadata.name).sort(), ready.map((p) => p.metadata.name).sort());
    await waitFor('SuccessfulDelete events', () => h.events('flaky').filter((e) => e.reason === 'SuccessfulDelete').length === 2);
    await waitFor('status follows', () => {
      const s = statusOf(h.get('apps', 'replicasets', 'flaky'));
      return s.replicas === 3 && s.readyReplicas === 3 && s.observedGeneration === 2;
    });
  });

  test('adopts a matching orphan, releases a pod whose labels stop matching, and replaces it', async () => {
    await h.create('', 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', labels: { app: 'adopter', tier: 'web' } }, spec: { containers: [{ name: 'main', image: 'nginx' }] } });
    await h.create('apps', 'replicasets', replicaSet('adopter', 2));
    const rs = h.get('apps', 'replicasets', 'adopter')!;
    await waitFor('2 pods, the orphan among them', () => {
      const pods = podsOf(rs);
      return pods.length === 2 && pods.some((p) => p.metadata.name === 'stray');
    });
    assert.equal(h.get('', 'pods', 'stray')!.metadata.ownerReferences?.[0].uid, rs.metadata.uid);

    await h.patch('', 'pods', 'stray', { metadata: { labels: { app: 'elsewhere' } } });
    await waitFor('the pod is released and replaced', () => {
      const stray = h.get('', 'pods', 'stray')!;
      return !stray.metadata.ownerReferences && podsOf(rs).length === 2 && !podsOf(rs).some((p) => p.metadata.name === 'stray');
    });
  });

  test('failed pods are replaced; terminating pods do not count', async () => {
    const rs = await h.create('apps', 'replicasets', replicaSet('phoenix', 2));
    await waitFor('2 ready', () => statusOf(h.get('apps', 'replicasets', 'phoenix')).readyReplicas === 2);
    const [first, second] = podsOf(rs);
    await h.driver.fail(first.metadata.name!);
    await waitFor('a replacement for the failed pod', () => {
      const active = podsOf(rs).filter((p) => (p.status as { phase?: string }).phase !== 'Failed');
      return active.length === 2 && !active.some((p) => p.metadata.name === first.metadata.name);
    });
    // A graceful deletion leaves the pod terminating for a while: it is replaced at once.
    await h.remove('', 'pods', second.metadata.name!);
    await waitFor('a replacement while the other terminates', () => {
      const s = statusOf(h.get('apps', 'replicasets', 'phoenix'));
      return s.replicas === 2 && !podsOf(rs).some((p) => p.metadata.name === second.metadata.name);
    });
    // The failed pod stays (pod GC is not the ReplicaSet's business) but is not counted.
    assert.equal((h.get('', 'pods', first.metadata.name!)!.status as { phase: string }).phase, 'Failed');
  });

  test('a rejected pod create shows as ReplicaFailure and a FailedCreate event, and clears once creates succeed', async () => {
    let refuse = true;
    h.service.admission.push({
      admit(type, obj) {
        if (refuse && type.kind === 'Pod' && obj.metadata.labels?.app === 'quota') throw new ApiError(403, 'Forbidden', `pods "${obj.metadata.name}" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=0, limited: pods=0`);
      },
    });
    await h.create('apps', 'replicasets', replicaSet('quota', 2));
    const cond = await waitFor('ReplicaFailure', () => statusOf(h.get('apps', 'replicasets', 'quota')).conditions?.find((c) => c.type === 'ReplicaFailure'));
    assert.equal(cond.status, 'True');
    assert.equal(cond.reason, 'FailedCreate');
    assert.match(cond.message, /^pods "quota-\w{5}" is forbidden: exceeded quota: compute/);
    const event = await waitFor('FailedCreate event', () => h.events('quota').find((e) => e.reason === 'FailedCreate'));
    assert.equal(event.type, 'Warning');
    assert.match(event.message, /^Error creating: pods "quota-\w{5}" is forbidden/);
    // Slow start: one failed attempt per sync, not a burst of them.
    assert.ok(h.events('quota').filter((e) => e.reason === 'FailedCreate').length <= 2);
    refuse = false;
    await waitFor('the condition clears with 2 replicas', () => {
      const s = statusOf(h.get('apps', 'replicasets', 'quota'));
      return s.replicas === 2 && !s.conditions;
    });
  });

  test('minReadySeconds: ready pods count as available only after that long', async () => {
    const started = Date.now();
    await h.create('apps', 'replicasets', replicaSet('patient', 2, { minReadySeconds: 1 }));
    await waitFor('2 ready', () => statusOf(h.get('apps', 'replicasets', 'patient')).readyReplicas === 2);
    assert.equal(statusOf(h.get('apps', 'replicasets', 'patient')).availableReplicas, undefined);
    await waitFor('2 available', () => statusOf(h.get('apps', 'replicasets', 'patient')).availableReplicas === 2, 10_000);
    // The re-check is timed, not left to the next unrelated event: without it this would never come.
    // (Ready times are stored to the second, so "1s after ready" can come a little early.)
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 8_000, `took ${elapsed}ms`);
  });

  test('a stored ReplicaSet whose selector misses its template (validation bypassed) gets a warning, not endless pods', async () => {
    const bad = replicaSet('bad', 2) as KubeObject;
    bad.metadata = { name: 'bad', namespace: 'default', uid: 'bad-uid', creationTimestamp: new Date().toISOString(), generation: 1 };
    (bad.spec as { selector: unknown }).selector = { matchLabels: { app: 'other' } };
    await h.store.create('apps/replicasets', bad).durable;
    const warning = await waitFor('InvalidSelector event', () => h.events('bad').find((e) => e.reason === 'InvalidSelector'));
    assert.equal(warning.type, 'Warning');
    assert.match(warning.message, /^spec\.template\.metadata\.labels: Invalid value: `selector` does not match template `labels`$/);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(h.list('', 'pods').filter((p) => p.metadata.generateName === 'bad-').length, 0);
  });

  test('nothing went wrong along the way', () => {
    assert.deepEqual(h.driver.failures, []);
    const unexpected = h.errors.filter(({ err }) => !String(err).includes('forbidden'));
    assert.deepEqual(unexpected, []);
  });
});
