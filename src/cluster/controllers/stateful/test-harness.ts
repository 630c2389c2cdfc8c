/**
 * Test-only: the control plane as `cluster.ts` assembles it (store, registry, service, garbage
 * collector, scheduler), without HTTP, plus a stand-in kubelet that moves bound pods through
 * Running/Ready/Succeeded/Failed by the status subresource, as the real kubelet would, and finishes
 * deleted pods. Used by the workload controllers' integration tests until the real kubelet is wired.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResourceRegistry } from '../../api/resource-registry.js';
import { now, ResourceService } from '../../api/resource-service.js';
import { BUILTIN_RESOURCE_TYPES } from '../../builtin/resource-table.js';
import { ApiError } from '../../errors.js';
import { groupResource, type KubeObject, type ResourceType } from '../../objects.js';
import { ObjectStore, type StoreEvent } from '../../store/object-store.js';
import { EventRecorder } from '../event-recorder.js';
import { GarbageCollector } from '../garbage-collector.js';
import { Scheduler } from '../scheduler.js';
import { StoreController } from '../store-controller.js';
import { systemScope } from '../system-scope.js';
import { podPhase } from '../workload-kit.js';

export const NODE = 'argosy';

/** What the stand-in kubelet does with a bound pod. */
export type PodFate = 'Pending' | 'Running' | 'Ready' | 'Succeeded' | 'Failed';

export interface Harness {
  store: ObjectStore;
  registry: ResourceRegistry;
  service: ResourceService;
  recorder: EventRecorder;
  kubelet: FakeKubelet;
  errors: unknown[];
  onError: (key: string, err: unknown) => void;
  dir: string;
  type(apiVersion: string, plural: string): ResourceType;
  create(apiVersion: string, plural: string, obj: Record<string, unknown>, namespace?: string): Promise<KubeObject>;
  get(apiVersion: string, plural: string, name: string, namespace?: string): KubeObject | undefined;
  list(apiVersion: string, plural: string, namespace?: string): KubeObject[];
  patch(apiVersion: string, plural: string, name: string, patch: unknown, namespace?: string): Promise<KubeObject>;
  remove(apiVersion: string, plural: string, name: string, namespace?: string, propagationPolicy?: 'Background' | 'Foreground' | 'Orphan'): Promise<void>;
  events(reason?: string): KubeObject[];
  /** Stops everything started here (and whatever was passed to `track`), removes the data. */
  dispose(): Promise<void>;
  track(stoppable: { stop(): void }): void;
}

export async function startHarness(options: { nodeLabels?: Record<string, string>; kubelet?: boolean } = {}): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argosy-workloads-'));
  const store = ObjectStore.open(path.join(dir, 'data'));
  const registry = new ResourceRegistry(BUILTIN_RESOURCE_TYPES);
  const service = new ResourceService(store);
  const errors: unknown[] = [];
  const onError = (_key: string, err: unknown): void => {
    // Conflicts are retried by design; anything else is a defect a test should see.
    if (!(err instanceof ApiError && err.code === 409)) errors.push(err);
  };
  const recorder = new EventRecorder(registry, service, { component: 'test' });
  const stoppables: { stop(): void }[] = [];
  const type = (apiVersion: string, plural: string): ResourceType => {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const t = registry.lookup(group, version, plural);
    if (!t) throw new Error(`no resource ${apiVersion} ${plural}`);
    return t;
  };
  const scope = (apiVersion: string, plural: string, namespace: string | undefined) => {
    const t = type(apiVersion, plural);
    return systemScope(t, t.namespaced ? (namespace ?? 'default') : undefined, 'test');
  };
  const key = (t: ResourceType, name: string, namespace: string | undefined): string => (t.namespaced ? `${namespace ?? 'default'}/${name}` : name);

  await service.create(scope('v1', 'namespaces', undefined), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  await service.create(scope('v1', 'nodes', undefined), {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: NODE, labels: { 'kubernetes.io/hostname': NODE, 'kubernetes.io/os': 'linux', ...(options.nodeLabels ?? {}) } },
    spec: {},
  });
  const gc = new GarbageCollector(store, registry, service, onError);
  gc.start();
  const scheduler = new Scheduler(store, registry, service, onError, recorder, NODE);
  scheduler.start();
  const kubelet = new FakeKubelet(store, registry, service, onError);
  if (options.kubelet !== false) kubelet.start();
  stoppables.push(gc, scheduler, kubelet);

  return {
    store,
    registry,
    service,
    recorder,
    kubelet,
    errors,
    onError,
    dir,
    type,
    track: (s) => stoppables.push(s),
    create: async (apiVersion, plural, obj, namespace) => (await service.create(scope(apiVersion, plural, namespace), obj)).object,
    get: (apiVersion, plural, name, namespace) => store.get(groupResource(type(apiVersion, plural)), key(type(apiVersion, plural), name, namespace))?.obj,
    list: (apiVersion, plural, namespace) => store.list(groupResource(type(apiVersion, plural)), type(apiVersion, plural).namespaced ? (namespace ?? 'default') : undefined).map((s) => s.obj),
    patch: async (apiVersion, plural, name, patch, namespace) => (await service.patch(scope(apiVersion, plural, namespace), name, 'merge', patch)).object,
    remove: async (apiVersion, plural, name, namespace, propagationPolicy = 'Background') => {
      await service.delete(scope(apiVersion, plural, namespace), name, { propagationPolicy });
    },
    events: (reason) => store.list('events').map((s) => s.obj).filter((e) => reason === undefined || e.reason === reason),
    dispose: async () => {
      for (const s of stoppables.reverse()) s.stop();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Plays the kubelet for pods bound to the node: `fate(pod)` says where each pod should end up;
 * deleted pods are finished (Failed unless already terminal) and removed with grace period 0.
 */
export class FakeKubelet extends StoreController {
  fate: (pod: KubeObject) => PodFate = () => 'Ready';

  start(): void {
    this.follow('pods', (e) => this.onPod(e));
    for (const { obj } of this.store.list('pods')) this.poke(`${obj.metadata.namespace}/${obj.metadata.name}`);
  }

  /** Re-evaluates every pod (after `fate` changed). */
  pokeAll(): void {
    for (const { obj } of this.store.list('pods')) this.poke(`${obj.metadata.namespace}/${obj.metadata.name}`);
  }

  poke(key: string): void {
    this.queue.add(key, () => this.sync(key));
  }

  private onPod(e: StoreEvent): void {
    if (e.type !== 'DELETED') this.poke(e.key);
  }

  private async sync(key: string): Promise<void> {
    const stored = this.store.get('pods', key);
    if (!stored) return;
    const pod = stored.obj;
    const spec = pod.spec as { nodeName?: string; containers?: { name: string }[] };
    if (!spec.nodeName) return;
    const podType = this.registry.lookup('', 'v1', 'pods')!;
    const scope = systemScope(podType, pod.metadata.namespace, 'kubelet');
    const phase = podPhase(pod);
    if (pod.metadata.deletionTimestamp) {
      if (phase !== 'Succeeded' && phase !== 'Failed') {
        await this.service.update(scope, pod.metadata.name!, { ...pod, metadata: { ...pod.metadata }, status: podStatus(pod, 'Failed') }, 'status');
        return;
      }
      if (pod.metadata.deletionGracePeriodSeconds !== 0) {
        try {
          await this.service.delete(scope, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid! } });
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
      return;
    }
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const fate = this.fate(pod);
    if (fate === 'Pending') return;
    const next = podStatus(pod, fate);
    await this.service.update(scope, pod.metadata.name!, { ...pod, metadata: { ...pod.metadata }, status: next }, 'status');
  }
}

function podStatus(pod: KubeObject, fate: Exclude<PodFate, 'Pending'>): Record<string, unknown> {
  const t = now();
  const old = (pod.status ?? {}) as { startTime?: string; conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
  const containers = ((pod.spec as { containers?: { name: string }[] }).containers ?? []).map((c) => c.name);
  const terminal = fate === 'Succeeded' || fate === 'Failed';
  const ready = fate === 'Ready';
  const cond = (type: string, status: boolean) => {
    const prev = (old.conditions ?? []).find((c) => c.type === type);
    const s = status ? 'True' : 'False';
    return { type, status: s, lastProbeTime: null, lastTransitionTime: prev?.status === s ? prev.lastTransitionTime : t };
  };
  return {
    phase: terminal ? fate : 'Running',
    conditions: [cond('PodScheduled', true), cond('Initialized', true), cond('ContainersReady', ready), cond('Ready', ready)],
    hostIP: '127.0.0.1',
    podIP: '127.0.0.1',
    startTime: old.startTime ?? t,
    containerStatuses: containers.map((name) => ({
      name,
      image: 'busybox',
      imageID: '',
      ready,
      restartCount: 0,
      started: !terminal,
      state: terminal
        ? { terminated: { exitCode: fate === 'Succeeded' ? 0 : 1, reason: fate === 'Succeeded' ? 'Completed' : 'Error', startedAt: old.startTime ?? t, finishedAt: t } }
        : { running: { startedAt: old.startTime ?? t } },
    })),
  };
}

export { eventually } from '../../../../test/support/in-process-cluster.js';
