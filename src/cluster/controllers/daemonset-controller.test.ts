import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../objects.js';
import { DaemonSetController } from './daemonset-controller.js';
import type { DaemonSet } from './stateful/daemonset-model.js';
import { eventually, NODE, startHarness, type Harness } from './stateful/test-harness.js';

const APPS = 'apps/v1';

function daemonSet(name: string, spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: APPS,
    kind: 'DaemonSet',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'agent', image: 'agent:1' }], ...podSpec } },
      ...spec,
    },
  };
}

const imageOf = (p: KubeObject): string => (p.spec as { containers: { image: string }[] }).containers[0].image;

describe('DaemonSetController', () => {
  let h: Harness;
  const pods = (ds: string): KubeObject[] => h.list('v1', 'pods').filter((p) => p.metadata.labels?.app === ds);
  const live = (ds: string): KubeObject[] => pods(ds).filter((p) => !p.metadata.deletionTimestamp);
  const get = (name: string): DaemonSet => h.get(APPS, 'daemonsets', name) as DaemonSet;
  const setImage = (name: string, image: string) =>
    h.patch(APPS, 'daemonsets', name, { spec: { template: { spec: { containers: [{ name: 'agent', image }] } } } });
  /** `kubectl rollout status ds` is done. */
  const rolledOut = (name: string): boolean => {
    const ds = get(name);
    const s = ds.status;
    return !!s && (s.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0) && (s.updatedNumberScheduled ?? 0) >= s.desiredNumberScheduled && (s.numberAvailable ?? 0) >= s.desiredNumberScheduled;
  };

  before(async () => {
    h = await startHarness({ nodeLabels: { disk: 'ssd' } });
    h.kubelet.fate = () => 'Ready';
    const controller = new DaemonSetController(h.store, h.registry, h.service, h.onError, h.recorder, { nodeName: NODE });
    controller.start();
    h.track(controller);
  });

  after(async () => {
    await h.dispose();
  });

  test('runs one pod on the node, created bound, with revision labels and daemon tolerations', async () => {
    await h.create(APPS, 'daemonsets', daemonSet('agent'));
    await eventually('rolled out', () => rolledOut('agent') && get('agent').status?.numberReady === 1);
    const [pod] = live('agent');
    assert.equal(live('agent').length, 1);
    assert.equal((pod.spec as { nodeName: string }).nodeName, NODE);
    assert.match(pod.metadata.name!, /^agent-[a-z0-9]{5}$/);
    const [revision] = h.list(APPS, 'controllerrevisions').filter((r) => r.metadata.ownerReferences?.[0].name === 'agent');
    const hash = pod.metadata.labels?.['controller-revision-hash'];
    assert.equal(revision.metadata.name, `agent-${hash}`);
    assert.equal(revision.revision, 1);
    assert.equal(pod.metadata.labels?.['pod-template-generation'], '1');
    const tolerations = (pod.spec as { tolerations: { key: string; effect: string }[] }).tolerations;
    assert.ok(tolerations.some((t) => t.key === 'node.kubernetes.io/not-ready' && t.effect === 'NoExecute'));
    assert.ok(tolerations.some((t) => t.key === 'node.kubernetes.io/unschedulable' && t.effect === 'NoSchedule'));
    const status = get('agent').status!;
    assert.deepEqual(
      [status.desiredNumberScheduled, status.currentNumberScheduled, status.numberReady, status.updatedNumberScheduled, status.numberAvailable, status.numberMisscheduled, status.numberUnavailable],
      [1, 1, 1, 1, 1, 0, undefined],
    );
    assert.equal(status.observedGeneration, 1);
    await eventually('event', () => h.events('SuccessfulCreate').some((e) => e.message === `Created pod: ${pod.metadata.name}`));
  });

  test('a template change rolls the pod: the old one goes first (maxUnavailable 1), then the new one runs', async () => {
    const [old] = live('agent');
    let overlap = false;
    const { stop } = h.store.watch('pods', h.store.resourceVersion, () => {
      if (live('agent').length > 1) overlap = true;
    });
    await setImage('agent', 'agent:2');
    await eventually('rolled out again', () => rolledOut('agent') && live('agent').length === 1 && imageOf(live('agent')[0]) === 'agent:2');
    stop();
    assert.equal(overlap, false, 'never two pods at once without surge');
    assert.equal(h.get('v1', 'pods', old.metadata.name!), undefined);
    const [pod] = live('agent');
    assert.equal(pod.metadata.labels?.['pod-template-generation'], '2');
    assert.equal(h.list(APPS, 'controllerrevisions').filter((r) => r.metadata.ownerReferences?.[0].name === 'agent').length, 2);
    assert.equal(get('agent').status?.updatedNumberScheduled, 1);
  });

  test('maxSurge 1: the new pod starts beside the old one, which goes once the new one is available', async () => {
    await h.create(APPS, 'daemonsets', daemonSet('surge', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
    await eventually('rolled out', () => rolledOut('surge'));
    const [old] = live('surge');
    h.kubelet.fate = (p) => (p.metadata.labels?.app === 'surge' && p.metadata.uid !== old.metadata.uid ? 'Running' : 'Ready');
    await setImage('surge', 'agent:2');
    await eventually('two pods', () => live('surge').length === 2);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(live('surge').some((p) => p.metadata.uid === old.metadata.uid), 'the old pod stays while the new one is not ready');
    assert.equal(rolledOut('surge'), false);
    h.kubelet.fate = () => 'Ready';
    h.kubelet.pokeAll();
    await eventually('old pod gone', () => live('surge').length === 1 && imageOf(live('surge')[0]) === 'agent:2' && rolledOut('surge'));
  });

  test('nodeSelector: no pod on a node without the label; it comes and goes with the label', async () => {
    await h.create(APPS, 'daemonsets', daemonSet('gpu', {}, { nodeSelector: { gpu: 'yes' } }));
    await eventually('status', () => get('gpu').status?.observedGeneration === 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(pods('gpu').length, 0);
    assert.equal(get('gpu').status?.desiredNumberScheduled, 0);
    await h.patch('v1', 'nodes', NODE, { metadata: { labels: { gpu: 'yes' } } });
    await eventually('pod once labelled', () => live('gpu').length === 1 && get('gpu').status?.desiredNumberScheduled === 1);
    await h.patch('v1', 'nodes', NODE, { metadata: { labels: { gpu: null } } });
    await eventually('pod removed when the label goes', () => pods('gpu').length === 0 && get('gpu').status?.desiredNumberScheduled === 0);
  });

  test('OnDelete: a template change waits until the pod is deleted', async () => {
    await h.create(APPS, 'daemonsets', daemonSet('manual', { updateStrategy: { type: 'OnDelete' } }));
    await eventually('running', () => rolledOut('manual'));
    const [old] = live('manual');
    await setImage('manual', 'agent:2');
    await eventually('new revision noted', () => get('manual').status?.observedGeneration === 2);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(live('manual').map((p) => p.metadata.uid), [old.metadata.uid]);
    assert.equal(get('manual').status?.updatedNumberScheduled, undefined);
    await h.remove('v1', 'pods', old.metadata.name!);
    await eventually('replaced at the new revision', () => live('manual').length === 1 && imageOf(live('manual')[0]) === 'agent:2' && rolledOut('manual'));
  });

  test('a failed daemon pod is replaced', async () => {
    await h.create(APPS, 'daemonsets', daemonSet('flaky'));
    await eventually('running', () => rolledOut('flaky'));
    const [victim] = live('flaky');
    h.kubelet.fate = (p) => (p.metadata.uid === victim.metadata.uid ? 'Failed' : 'Ready');
    h.kubelet.poke(`default/${victim.metadata.name}`);
    await eventually('replaced', () => live('flaky').length === 1 && live('flaky')[0].metadata.uid !== victim.metadata.uid && rolledOut('flaky'));
    assert.ok(h.events('FailedDaemonPod').some((e) => e.message === `Found failed daemon pod default/${victim.metadata.name} on node ${NODE}, will try to kill it`));
    assert.deepEqual(h.errors, []);
  });
});
