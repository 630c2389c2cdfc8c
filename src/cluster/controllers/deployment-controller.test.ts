import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../objects.js';
import type { DeploymentStatus } from './deployment/types.js';
import { isPodReady } from './workload-kit.js';
import { podTemplate, startHarness, waitFor, type Harness } from './deployment/test-harness.js';

const statusOf = (o: KubeObject | undefined): DeploymentStatus => (o?.status as DeploymentStatus | undefined) ?? {};
const condition = (o: KubeObject | undefined, type: string) => statusOf(o).conditions?.find((c) => c.type === type);
const replicasOf = (rs: KubeObject): number => (rs.spec as { replicas: number }).replicas;
const annotation = (o: KubeObject | undefined, name: string): string | undefined => o?.metadata.annotations?.[name];
const image = (o: KubeObject): string => ((o.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0].image);

function deployment(name: string, replicas: number, spec: Record<string, unknown> = {}, annotations?: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: podTemplate({ app: name }), ...spec },
  };
}

/** A rollout is complete the way `kubectl rollout status` judges it. */
function rolledOut(d: KubeObject | undefined): boolean {
  if (!d) return false;
  const s = statusOf(d);
  const want = (d.spec as { replicas: number }).replicas;
  return (
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
    (s.updatedReplicas ?? 0) === want &&
    (s.replicas ?? 0) === want &&
    (s.availableReplicas ?? 0) === want &&
    condition(d, 'Progressing')?.reason === 'NewReplicaSetAvailable'
  );
}

/** Follows the pods of one app from the store's watch and measures what existed at every moment. */
class PodWatch {
  private readonly pods = new Map<string, KubeObject>();
  maxLive = 0;
  minReady = Infinity;
  /** Times two pod templates had pods (terminating ones included) at once. */
  overlaps = 0;
  private readonly stop: () => void;

  constructor(h: Harness, app: string) {
    for (const p of h.list('', 'pods')) if (p.metadata.labels?.app === app) this.pods.set(p.metadata.name!, p);
    this.stop = h.store.watch('pods', h.store.resourceVersion, (e) => {
      const pod = e.object.obj;
      if (pod.metadata.labels?.app !== app) return;
      if (e.type === 'DELETED') this.pods.delete(pod.metadata.name!);
      else this.pods.set(pod.metadata.name!, pod);
      this.measure();
    }).stop;
    this.measure();
  }

  private measure(): void {
    const running = [...this.pods.values()].filter((p) => !['Succeeded', 'Failed'].includes((p.status as { phase?: string }).phase ?? ''));
    const live = running.filter((p) => !p.metadata.deletionTimestamp);
    this.maxLive = Math.max(this.maxLive, live.length);
    this.minReady = Math.min(this.minReady, live.filter(isPodReady).length);
    if (new Set(running.map((p) => p.metadata.labels?.['pod-template-hash'])).size > 1) this.overlaps++;
  }

  close(): void {
    this.stop();
  }
}

describe('Deployment controller', { concurrency: false }, () => {
  let h: Harness;
  const ownedReplicaSets = (d: KubeObject | undefined): KubeObject[] =>
    h.list('apps', 'replicasets').filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === d?.metadata.uid));
  const rsByRevision = (d: KubeObject | undefined, revision: string): KubeObject | undefined =>
    ownedReplicaSets(d).find((rs) => annotation(rs, 'deployment.kubernetes.io/revision') === revision);
  const deploymentNamed = (name: string) => h.get('apps', 'deployments', name);
  const kubectl = () => ({ type: h.type('apps', 'deployments'), namespace: 'default', user: { name: 'kubectl', groups: ['system:masters'] }, fieldManager: 'kubectl' });

  before(async () => {
    h = await startHarness({ readyWhen: (pod) => !(pod.spec as { containers: { image: string }[] }).containers[0].image.includes('broken') });
  });
  after(async () => {
    await h.dispose();
  });

  test('a 3-replica Deployment gets its ReplicaSet and becomes Available', async () => {
    await h.create('apps', 'deployments', deployment('web', 3, {}, { 'kubernetes.io/change-cause': 'first' }));
    const d = await waitFor('rolled out', () => rolledOut(deploymentNamed('web')) && deploymentNamed('web'));
    const s = statusOf(d);
    assert.deepEqual({ ...s, conditions: undefined }, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: undefined });
    const [rs] = ownedReplicaSets(d);
    const hash = rs.metadata.labels!['pod-template-hash'];
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.deepEqual((rs.spec as { selector: unknown }).selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
    assert.deepEqual(rs.metadata.labels, { app: 'web', 'pod-template-hash': hash });
    assert.equal(rs.metadata.ownerReferences![0].controller, true);
    assert.deepEqual(
      Object.fromEntries(Object.entries(rs.metadata.annotations!).sort()),
      { 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4', 'deployment.kubernetes.io/revision': '1', 'kubernetes.io/change-cause': 'first' },
    );
    assert.equal(annotation(d, 'deployment.kubernetes.io/revision'), '1');
    const available = condition(d, 'Available')!;
    assert.deepEqual([available.status, available.reason, available.message], ['True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.']);
    const progressing = condition(d, 'Progressing')!;
    assert.deepEqual([progressing.status, progressing.reason, progressing.message], ['True', 'NewReplicaSetAvailable', `ReplicaSet "${rs.metadata.name}" has successfully progressed.`]);
    const scaled = await waitFor('ScalingReplicaSet event', () => h.events('web').find((e) => e.reason === 'ScalingReplicaSet'));
    assert.equal(scaled.message, `Scaled up replica set ${rs.metadata.name} from 0 to 3`);
    assert.equal(scaled.source, 'deployment-controller');
  });

  test('a template change rolls within maxSurge/maxUnavailable; the old ReplicaSet ends at 0', async () => {
    const before = deploymentNamed('web')!;
    const oldRS = ownedReplicaSets(before)[0];
    const watch = new PodWatch(h, 'web');
    try {
      await h.patch('apps', 'deployments', 'web', { metadata: { annotations: { 'kubernetes.io/change-cause': 'second' } }, spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:1.26' }] } } } });
      await waitFor('rolled out again', () => {
        const d = deploymentNamed('web');
        return d!.metadata.generation === 2 && rolledOut(d);
      });
    } finally {
      watch.close();
    }
    // 3 replicas at 25%/25%: maxSurge rounds up to 1, maxUnavailable down to 0.
    assert.ok(watch.maxLive <= 4, `never more than 4 pods (saw ${watch.maxLive})`);
    assert.equal(watch.minReady, 3, 'never fewer than 3 ready');
    const d = deploymentNamed('web')!;
    assert.equal(replicasOf(h.get('apps', 'replicasets', oldRS.metadata.name!)!), 0);
    const newRS = rsByRevision(d, '2')!;
    assert.equal(image(newRS), 'nginx:1.26');
    assert.equal(annotation(newRS, 'kubernetes.io/change-cause'), 'second');
    assert.equal(annotation(d, 'deployment.kubernetes.io/revision'), '2');
    const messages = h.events('web').filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message);
    assert.ok(messages.includes(`Scaled up replica set ${newRS.metadata.name} from 0 to 1`), messages.join('\n'));
    assert.ok(messages.includes(`Scaled down replica set ${oldRS.metadata.name} from 3 to 2`), messages.join('\n'));
  });

  test('undo: the old template comes back, its ReplicaSet is re-used with the next revision', async () => {
    const d0 = deploymentNamed('web')!;
    const first = rsByRevision(d0, '1')!;
    // What `kubectl rollout undo` does client-side: the old ReplicaSet's template, minus the hash label.
    const template = structuredClone((first.spec as { template: { metadata: { labels: Record<string, string> } } }).template);
    delete template.metadata.labels['pod-template-hash'];
    await h.service.patch(kubectl(), 'web', 'json', [
      { op: 'replace', path: '/spec/template', value: template },
    ]);
    await waitFor('rolled back', () => {
      const d = deploymentNamed('web');
      return d!.metadata.generation === 3 && rolledOut(d);
    });
    const d = deploymentNamed('web')!;
    const back = h.get('apps', 'replicasets', first.metadata.name!)!;
    assert.equal(replicasOf(back), 3);
    assert.equal(annotation(back, 'deployment.kubernetes.io/revision'), '3');
    assert.equal(annotation(back, 'deployment.kubernetes.io/revision-history'), '1');
    assert.equal(annotation(d, 'deployment.kubernetes.io/revision'), '3');
    assert.equal(ownedReplicaSets(d).length, 2, 'no third ReplicaSet');
    assert.equal(replicasOf(rsByRevision(d, '2')!), 0);
  });

  test('Recreate removes every old pod before the first new one exists', async () => {
    await h.create('apps', 'deployments', deployment('batch', 3, { strategy: { type: 'Recreate' } }));
    await waitFor('rolled out', () => rolledOut(deploymentNamed('batch')));
    const watch = new PodWatch(h, 'batch');
    try {
      await h.patch('apps', 'deployments', 'batch', { spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:1.26' }] } } } });
      await waitFor('rolled out again', () => deploymentNamed('batch')!.metadata.generation === 2 && rolledOut(deploymentNamed('batch')));
    } finally {
      watch.close();
    }
    assert.equal(watch.overlaps, 0, 'old and new pods never existed together');
    assert.equal(watch.maxLive, 3);
    assert.equal(ownedReplicaSets(deploymentNamed('batch')).length, 2);
  });

  test('paused: a template change waits, scaling still happens, resuming rolls out', async () => {
    await h.create('apps', 'deployments', deployment('held', 2));
    await waitFor('rolled out', () => rolledOut(deploymentNamed('held')));
    await h.patch('apps', 'deployments', 'held', { spec: { paused: true } });
    await waitFor('paused condition', () => condition(deploymentNamed('held'), 'Progressing')?.reason === 'DeploymentPaused');
    const paused = condition(deploymentNamed('held'), 'Progressing')!;
    assert.deepEqual([paused.status, paused.message], ['Unknown', 'Deployment is paused']);
    await h.patch('apps', 'deployments', 'held', { spec: { replicas: 3, template: { spec: { containers: [{ name: 'main', image: 'nginx:1.26' }] } } } });
    await waitFor('scaled to 3 on the current ReplicaSet', () => statusOf(deploymentNamed('held')).availableReplicas === 3 && statusOf(deploymentNamed('held')).observedGeneration === 3);
    await new Promise((r) => setTimeout(r, 100));
    const rss = ownedReplicaSets(deploymentNamed('held'));
    assert.equal(rss.length, 1, 'no new ReplicaSet while paused');
    assert.equal(replicasOf(rss[0]), 3);
    assert.equal(image(rss[0]), 'nginx:1.25');

    await h.patch('apps', 'deployments', 'held', { spec: { paused: false } });
    await waitFor('rolled out after resuming', () => {
      const d = deploymentNamed('held');
      return rolledOut(d) && ownedReplicaSets(d).length === 2;
    });
    assert.ok(h.events('held').some((e) => e.message.startsWith('Scaled up replica set held-') && e.message.endsWith('from 2 to 3')));
  });

  test('the scale subresource resizes, proportionally across ReplicaSets mid-rollout', async () => {
    await h.create('apps', 'deployments', deployment('prop', 10, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
    await waitFor('rolled out', () => rolledOut(deploymentNamed('prop')));
    // The new pods never turn ready: the rollout stalls at old 8 / new 5 (10 - 2 available, 10 + 3 in all).
    await h.patch('apps', 'deployments', 'prop', { spec: { template: { spec: { containers: [{ name: 'main', image: 'broken:1' }] } } } });
    await waitFor('stalled at 8 + 5', () => {
      const rss = ownedReplicaSets(deploymentNamed('prop'));
      return rss.length === 2 && rss.map(replicasOf).sort((a, b) => a - b).join() === '5,8';
    });
    await h.service.update(kubectl(), 'prop', { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'prop', namespace: 'default' }, spec: { replicas: 15 } }, 'scale');
    // 5 more replicas, split 8:5 over the two sets: 3 to the old one, 2 to the new one.
    await waitFor('proportionally scaled', () => {
      const rss = ownedReplicaSets(deploymentNamed('prop'));
      return rss.map(replicasOf).sort((a, b) => a - b).join() === '7,11';
    });
    const d = deploymentNamed('prop')!;
    const newRS = rsByRevision(d, '2')!;
    assert.equal(replicasOf(newRS), 7);
    assert.equal(annotation(newRS, 'deployment.kubernetes.io/desired-replicas'), '15');
    assert.equal(annotation(newRS, 'deployment.kubernetes.io/max-replicas'), '18');
  });

  test('pods that never become ready end in ProgressDeadlineExceeded', async () => {
    await h.create('apps', 'deployments', deployment('stuck', 2, { progressDeadlineSeconds: 1, template: podTemplate({ app: 'stuck' }, 'broken:2') }));
    const d = await waitFor('deadline exceeded', () => {
      const cur = deploymentNamed('stuck');
      return condition(cur, 'Progressing')?.reason === 'ProgressDeadlineExceeded' && cur;
    }, 4_000);
    const rs = ownedReplicaSets(d)[0];
    const progressing = condition(d, 'Progressing')!;
    assert.deepEqual([progressing.status, progressing.message], ['False', `ReplicaSet "${rs.metadata.name}" has timed out progressing.`]);
    const available = condition(d, 'Available')!;
    assert.deepEqual([available.status, available.reason, available.message], ['False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.']);
    assert.equal(statusOf(d).unavailableReplicas, 2);
    assert.equal(statusOf(d).updatedReplicas, 2);
  });

  test('revisionHistoryLimit keeps only that many old ReplicaSets', async () => {
    await h.create('apps', 'deployments', deployment('short', 1, { revisionHistoryLimit: 1 }));
    for (const tag of ['1.26', '1.27', '1.28']) {
      await waitFor('rolled out', () => rolledOut(deploymentNamed('short')));
      await h.patch('apps', 'deployments', 'short', { spec: { template: { spec: { containers: [{ name: 'main', image: `nginx:${tag}` }] } } } });
    }
    await waitFor('two ReplicaSets left', () => rolledOut(deploymentNamed('short')) && ownedReplicaSets(deploymentNamed('short')).length === 2);
    const revisions = ownedReplicaSets(deploymentNamed('short')).map((rs) => annotation(rs, 'deployment.kubernetes.io/revision')).sort();
    assert.deepEqual(revisions, ['3', '4']);
  });

  test('an orphaned ReplicaSet is adopted by a Deployment with its template, without new pods', async () => {
    await h.create('apps', 'deployments', deployment('keep', 2));
    await waitFor('rolled out', () => rolledOut(deploymentNamed('keep')));
    const [rs] = ownedReplicaSets(deploymentNamed('keep'));
    const pods = h.list('', 'pods').filter((p) => p.metadata.labels?.app === 'keep').map((p) => p.metadata.name).sort();
    await h.remove('apps', 'deployments', 'keep', 'Orphan');
    await waitFor('orphaned', () => !deploymentNamed('keep') && !h.get('apps', 'replicasets', rs.metadata.name!)!.metadata.ownerReferences);
    const again = await h.create('apps', 'deployments', deployment('keep', 2));
    await waitFor('adopted and rolled out', () => {
      const cur = h.get('apps', 'replicasets', rs.metadata.name!)!;
      return cur.metadata.ownerReferences?.[0]?.uid === again.metadata.uid && rolledOut(deploymentNamed('keep'));
    });
    assert.equal(ownedReplicaSets(deploymentNamed('keep')).length, 1);
    assert.deepEqual(h.list('', 'pods').filter((p) => p.metadata.labels?.app === 'keep').map((p) => p.metadata.name).sort(), pods, 'the same pods');
  });

  test('a released ReplicaSet that holds the new name is a hash collision: collisionCount moves on', async () => {
    const d = deploymentNamed('keep')!;
    const [rs] = ownedReplicaSets(d);
    // Its labels no longer match the selector: the Deployment lets it go and needs a ReplicaSet again.
    await h.patch('apps', 'replicasets', rs.metadata.name!, { metadata: { labels: { app: 'elsewhere' } } });
    const replaced = await waitFor('a ReplicaSet under another name', () => {
      const cur = deploymentNamed('keep');
      return statusOf(cur).availableReplicas === 2 && ownedReplicaSets(cur).find((x) => x.metadata.name !== rs.metadata.name);
    });
    assert.equal((deploymentNamed('keep')!.status as { collisionCount?: number }).collisionCount, 1);
    assert.equal(h.get('apps', 'replicasets', rs.metadata.name!)!.metadata.ownerReferences, undefined);
    assert.notEqual(replaced.metadata.labels!['pod-template-hash'], rs.metadata.labels!['pod-template-hash']);
    await h.remove('apps', 'replicasets', rs.metadata.name!);
    // The failed create is retried by the queue (as Kubernetes requeues it): the one expected error.
    const collisions = h.errors.filter(({ err }) => String(err).includes('already exists'));
    assert.ok(collisions.length >= 1);
    h.errors.splice(0, h.errors.length, ...h.errors.filter((e) => !collisions.includes(e)));
  });

  test('deleting a Deployment (background) removes its ReplicaSets and pods through the GC', async () => {
    const d = deploymentNamed('web')!;
    const rsNames = ownedReplicaSets(d).map((rs) => rs.metadata.name);
    assert.equal(rsNames.length, 2);
    await h.remove('apps', 'deployments', 'web', 'Background');
    await waitFor('nothing left', () => {
      const pods = h.list('', 'pods').filter((p) => p.metadata.labels?.app === 'web');
      return pods.length === 0 && rsNames.every((n) => !h.get('apps', 'replicasets', n!));
    });
  });

  test('nothing went wrong along the way', () => {
    assert.deepEqual(h.driver.failures, []);
    assert.deepEqual(h.errors.map(({ key, err }) => `${key}: ${String(err)}`), []);
  });
});
