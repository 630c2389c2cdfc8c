import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { KubeObject } from '../objects.js';
import { StatefulSetController } from './statefulset-controller.js';
import { systemScope } from './system-scope.js';
import { VolumeProvisioner } from './volume-provisioner.js';
import type { StatefulSet } from './stateful/statefulset-model.js';
import { eventually, startHarness, type Harness } from './stateful/test-harness.js';

const APPS = 'apps/v1';

function statefulSet(name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: APPS,
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      serviceName: name,
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
      ...spec,
    },
  };
}

const phase = (o: KubeObject | undefined): string | undefined => (o?.status as { phase?: string } | undefined)?.phase;

describe('StatefulSetController', () => {
  let h: Harness;
  /** Pods the stand-in kubelet makes Ready; others just run. */
  const ready = new Set<string>();
  const created: string[] = [];
  const deleted: string[] = [];

  const pods = (set: string): KubeObject[] => h.list('v1', 'pods').filter((p) => p.metadata.labels?.app === set);
  const live = (set: string): string[] => pods(set).filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name!).sort();
  const get = (name: string): StatefulSet => h.get(APPS, 'statefulsets', name) as StatefulSet;
  const makeReady = (...names: string[]): void => {
    for (const n of names) ready.add(n);
    h.kubelet.pokeAll();
  };

  before(async () => {
    h = await startHarness();
    h.kubelet.fate = (pod) => (ready.has(pod.metadata.name!) ? 'Ready' : 'Running');
    h.store.watch('pods', h.store.resourceVersion, (e) => {
      if (e.type === 'ADDED') created.push(e.object.obj.metadata.name!);
      if (e.type === 'DELETED') deleted.push(e.object.obj.metadata.name!);
    });
    const provisioner = new VolumeProvisioner(h.store, h.registry, h.service, h.onError, h.recorder, { volumesDir: path.join(h.dir, 'volumes') });
    provisioner.start();
    h.track(provisioner);
    const controller = new StatefulSetController(h.store, h.registry, h.service, h.onError, h.recorder);
    controller.start();
    h.track(controller);
  });

  after(async () => {
    await h.dispose();
  });

  test('OrderedReady: web-0, then web-1, then web-2, each only after the previous is Ready; PVCs first and Bound', async () => {
    await h.create(APPS, 'statefulsets', statefulSet('web', {
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    }));
    for (const [i, name] of ['web-0', 'web-1', 'web-2'].entries()) {
      await eventually(`${name} running`, () => phase(h.get('v1', 'pods', name)) === 'Running');
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(live('web'), ['web-0', 'web-1', 'web-2'].slice(0, i + 1), `nothing after ${name} before it is Ready`);
      const claim = h.get('v1', 'persistentvolumeclaims', `www-${name}`)!;
      const pod = h.get('v1', 'pods', name)!;
      assert.ok(Number(claim.metadata.resourceVersion) > 0 && claim.metadata.creationTimestamp! <= pod.metadata.creationTimestamp!, 'claim first');
      makeReady(name);
    }
    await eventually('claims bound', () => ['web-0', 'web-1', 'web-2'].every((n) => phase(h.get('v1', 'persistentvolumeclaims', `www-${n}`)) === 'Bound'));
    const status = await eventually('status', () => (get('web').status?.readyReplicas === 3 ? get('web').status : undefined));
    assert.equal(status.replicas, 3);
    assert.equal(status.availableReplicas, 3);
    assert.equal(status.currentReplicas, 3);
    assert.equal(status.updatedReplicas, 3);
    assert.equal(status.observedGeneration, 1);
    assert.equal(status.currentRevision, status.updateRevision);
    assert.match(status.currentRevision!, /^web-[a-z0-9]+$/);
    assert.deepEqual(created.filter((n) => n.startsWith('web-')), ['web-0', 'web-1', 'web-2'], 'created in order, once each');

    const pod = h.get('v1', 'pods', 'web-1')!;
    const spec = pod.spec as { hostname: string; subdomain: string; volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[] };
    assert.equal(spec.hostname, 'web-1');
    assert.equal(spec.subdomain, 'web');
    assert.equal(spec.volumes[0].persistentVolumeClaim?.claimName, 'www-web-1');
    assert.equal(pod.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'web-1');
    assert.equal(pod.metadata.labels?.['apps.kubernetes.io/pod-index'], '1');
    assert.equal(pod.metadata.labels?.['controller-revision-hash'], status.updateRevision);
    const claim = h.get('v1', 'persistentvolumeclaims', 'www-web-1')!;
    assert.equal(claim.metadata.labels?.app, 'web', 'claims carry the selector labels');
    const revisions = h.list(APPS, 'controllerrevisions');
    assert.equal(revisions.length, 1);
    assert.equal(revisions[0].revision, 1);
    assert.equal(revisions[0].metadata.name, status.updateRevision);
    assert.ok(h.events('SuccessfulCreate').some((e) => e.message === 'create Pod web-0 in StatefulSet web successful'));
    assert.ok(h.events('SuccessfulCreate').some((e) => e.message === 'create Claim www-web-0 Pod web-0 in StatefulSet web success'));
  });

  test('scale down removes web-2 first, then web-1; claims are retained', async () => {
    deleted.length = 0;
    await h.patch(APPS, 'statefulsets', 'web', { spec: { replicas: 1 } });
    await eventually('one pod left', () => live('web').length === 1 && deleted.length === 2);
    assert.deepEqual(deleted, ['web-2', 'web-1']);
    assert.deepEqual(live('web'), ['web-0']);
    await eventually('status', () => get('web').status?.replicas === 1 && get('web').status?.readyReplicas === 1);
    assert.ok(h.get('v1', 'persistentvolumeclaims', 'www-web-2'), 'whenScaled: Retain keeps the claim');
  });

  test('a partitioned rolling update replaces only ordinals ≥ partition, highest first; partition 0 finishes it', async () => {
    ready.clear();
    await h.patch(APPS, 'statefulsets', 'web', { spec: { replicas: 3 } });
    for (const name of ['web-0', 'web-1', 'web-2']) {
      makeReady(name);
      await eventually(`${name} ready`, () => get('web').status?.readyReplicas === Number(name.slice(-1)) + 1);
    }
    const before = get('web').status!;
    deleted.length = 0;
    await h.patch(APPS, 'statefulsets', 'web', {
      spec: {
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } },
      },
    });
    const imageOf = (n: string): string => ((h.get('v1', 'pods', n)?.spec as { containers: { image: string }[] } | undefined)?.containers[0].image ?? '');
    const revisionOf = (n: string): string | undefined => h.get('v1', 'pods', n)?.metadata.labels?.['controller-revision-hash'];
    await eventually('web-2 updated', () => imageOf('web-2') === 'nginx:1.26');
    makeReady('web-2');
    await eventually('web-1 updated', () => imageOf('web-1') === 'nginx:1.26');
    makeReady('web-1');
    const mid = await eventually('status after partition', () => {
      const s = get('web').status;
      return s?.updatedReplicas === 2 && s.readyReplicas === 3 ? s : undefined;
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(imageOf('web-0'), 'nginx:1.25', 'below the partition: untouched');
    assert.equal(revisionOf('web-0'), before.currentRevision);
    assert.deepEqual(deleted, ['web-2', 'web-1']);
    assert.equal(mid.currentRevision, before.currentRevision, 'the rollout is not complete');
    assert.notEqual(mid.updateRevision, before.updateRevision);
    assert.equal(mid.currentReplicas, 1);
    assert.equal(get('web').status?.observedGeneration, get('web').metadata.generation);

    await h.patch(APPS, 'statefulsets', 'web', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } });
    await eventually('web-0 updated', () => imageOf('web-0') === 'nginx:1.26');
    makeReady('web-0');
    const done = await eventually('rollout complete', () => {
      const s = get('web').status;
      return s && s.currentRevision === s.updateRevision && s.updatedReplicas === 3 && s.readyReplicas === 3 ? s : undefined;
    });
    assert.equal(done.currentReplicas, 3);
    const revisions = h.list(APPS, 'controllerrevisions').sort((a, b) => (a.revision as number) - (b.revision as number));
    assert.deepEqual(revisions.map((r) => r.revision), [1, 2]);
  });

  test('going back to an old template reuses its revision, renumbered (rollout undo)', async () => {
    const old = h.list(APPS, 'controllerrevisions').find((r) => r.revision === 1)!;
    const data = old.data as { spec: { template: Record<string, unknown> } };
    await h.service.patch(systemScope(h.type(APPS, 'statefulsets'), 'default', 'kubectl'), 'web', 'strategic', data);
    await eventually('revision renumbered', () => h.get(APPS, 'controllerrevisions', old.metadata.name!)?.revision === 3);
    assert.equal(h.list(APPS, 'controllerrevisions').length, 2, 'no new revision');
    await eventually('rolled back', () => {
      const s = get('web').status;
      const images = ['web-0', 'web-1', 'web-2'].map((n) => (h.get('v1', 'pods', n)?.spec as { containers: { image: string }[] } | undefined)?.containers[0].image);
      return !!s && s.updateRevision === old.metadata.name && s.currentRevision === old.metadata.name && s.readyReplicas === 3 && images.every((i) => i === 'nginx:1.25');
    });
  });

  test('Parallel creates every pod at once and replaces a failed one', async () => {
    await h.create(APPS, 'statefulsets', statefulSet('par', { podManagementPolicy: 'Parallel' }));
    await eventually('three pods without readiness', () => live('par').length === 3);
    assert.deepEqual(live('par'), ['par-0', 'par-1', 'par-2']);
    const victim = h.get('v1', 'pods', 'par-1')!;
    h.kubelet.fate = (pod) => (pod.metadata.uid === victim.metadata.uid ? 'Failed' : ready.has(pod.metadata.name!) ? 'Ready' : 'Running');
    h.kubelet.poke('default/par-1');
    await eventually('par-1 recreated', () => {
      const p = h.get('v1', 'pods', 'par-1');
      return p && p.metadata.uid !== victim.metadata.uid && phase(p) === 'Running';
    });
    assert.ok(h.events('RecreatingFailedPod').some((e) => e.message === 'StatefulSet default/par is recreating failed Pod par-1'));
    assert.deepEqual(h.errors, []);
  });
});
