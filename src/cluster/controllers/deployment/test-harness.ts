/**
 * Test support for the ReplicaSet and Deployment controllers: a real store, registry and service
 * assembled as `cluster.ts` does (no HTTP), the garbage collector, the two controllers, and a
 * stand-in for the kubelet — the pod driver — that binds new pods to the node, reports them
 * Running and (unless told otherwise) Ready after a short delay, and finishes graceful deletions.
 * Not a test itself: the `*.test.ts` files beside it use it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResourceRegistry } from '../../api/resource-registry.js';
import { now, ResourceService } from '../../api/resource-service.js';
import { BUILTIN_RESOURCE_TYPES } from '../../builtin/resource-table.js';
import { ApiError } from '../../errors.js';
import type { KubeObject, ResourceType } from '../../objects.js';
import { ObjectStore } from '../../store/object-store.js';
import { DeploymentController } from '../deployment-controller.js';
import { EventRecorder } from '../event-recorder.js';
import { GarbageCollector } from '../garbage-collector.js';
import { ReplicaSetController } from '../replicaset-controller.js';
import { systemScope } from '../system-scope.js';

export const NODE = 'argosy';

export interface DriverOptions {
  /** Whether a new pod becomes Ready (default: every pod). */
  readyWhen?: (pod: KubeObject) => boolean;
  readyDelayMs?: number;
  terminateDelayMs?: number;
  /** Pods the driver leaves alone entirely (they stay Pending and unscheduled). */
  ignore?: (pod: KubeObject) => boolean;
}

export interface Harness {
  store: ObjectStore;
  registry: ResourceRegistry;
  service: ResourceService;
  /** Errors the controllers reported to onError (work that will be retried). */
  errors: { key: string; err: unknown }[];
  driver: PodDriver;
  type(group: string, plural: string): ResourceType;
  create(group: string, plural: string, obj: unknown): Promise<KubeObject>;
  get(group: string, plural: string, name: string, namespace?: string): KubeObject | undefined;
  list(group: string, plural: string, namespace?: string): KubeObject[];
  patch(group: string, plural: string, name: string, body: unknown, subresource?: string): Promise<KubeObject>;
  remove(group: string, plural: string, name: string, propagationPolicy?: 'Background' | 'Foreground' | 'Orphan'): Promise<void>;
  events(involvedName?: string): { reason: string; message: string; type: string; source: string }[];
  dispose(): Promise<void>;
}

export interface HarnessOptions extends DriverOptions {
  deployments?: boolean;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'argosy-deploy-'));
  const store = ObjectStore.open(dataDir, { historySize: 50_000 });
  const registry = new ResourceRegistry(BUILTIN_RESOURCE_TYPES);
  const service = new ResourceService(store);
  const errors: { key: string; err: unknown }[] = [];
  const onError = (key: string, err: unknown): void => {
    errors.push({ key, err });
  };
  const type = (group: string, plural: string): ResourceType => registry.lookupAnyVersion(group, plural)!;
  const scope = (group: string, plural: string, namespace?: string) => systemScope(type(group, plural), type(group, plural).namespaced ? (namespace ?? 'default') : undefined, 'test');
  await service.create(scope('', 'namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });

  const gc = new GarbageCollector(store, registry, service, onError);
  const rsc = new ReplicaSetController(store, registry, service, onError, new EventRecorder(registry, service, { component: 'replicaset-controller' }));
  const dc = options.deployments === false ? undefined : new DeploymentController(store, registry, service, onError, new EventRecorder(registry, service, { component: 'deployment-controller' }));
  const driver = new PodDriver(store, service, type('', 'pods'), options);
  gc.start();
  rsc.start();
  dc?.start();
  driver.start();

  const key = (namespace: string | undefined, name: string): string => (namespace ? `${namespace}/${name}` : name);
  const resource = (group: string, plural: string): string => (group ? `${group}/${plural}` : plural);
  return {
    store,
    registry,
    service,
    errors,
    driver,
    type,
    create: async (group, plural, obj) => (await service.create(scope(group, plural), structuredClone(obj))).object,
    get: (group, plural, name, namespace = 'default') => store.get(resource(group, plural), key(type(group, plural).namespaced ? namespace : undefined, name))?.obj,
    list: (group, plural, namespace = 'default') => store.list(resource(group, plural), type(group, plural).namespaced ? namespace : undefined).map((s) => s.obj),
    patch: async (group, plural, name, body, subresource) => (await service.patch(scope(group, plural), name, 'merge', body, subresource)).object,
    remove: async (group, plural, name, propagationPolicy = 'Background') => {
      await service.delete(scope(group, plural), name, { propagationPolicy });
    },
    events: (involvedName) =>
      store
        .list('events', 'default')
        .map((s) => s.obj as unknown as { reason: string; message: string; type: string; source: { component: string }; involvedObject: { name: string } })
        .filter((e) => involvedName === undefined || e.involvedObject.name === involvedName)
        .map((e) => ({ reason: e.reason, message: e.message, type: e.type, source: e.source.component })),
    dispose: async () => {
      driver.stop();
      dc?.stop();
      rsc.stop();
      gc.stop();
      // Fire-and-forget writes (events, the driver's timers) must settle before the store closes.
      await new Promise((r) => setTimeout(r, 50));
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The kubelet's part, reduced to what the controllers observe: binding, Running + Ready (or not),
 * and the end of a graceful deletion.
 */
export class PodDriver {
  private stopWatch: (() => void) | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly failures: unknown[] = [];
  readyWhen: (pod: KubeObject) => boolean;

  constructor(
    private readonly store: ObjectStore,
    private readonly service: ResourceService,
    private readonly podType: ResourceType,
    private readonly options: DriverOptions,
  ) {
    this.readyWhen = options.readyWhen ?? (() => true);
  }

  start(): void {
    this.stopWatch = this.store.watch('pods', this.store.resourceVersion, (e) => {
      if (e.type === 'DELETED') return;
      const pod = e.object.obj;
      if (this.options.ignore?.(pod)) return;
      if (pod.metadata.deletionTimestamp) {
        if (!e.prev?.obj.metadata.deletionTimestamp) this.later(this.options.terminateDelayMs ?? 30, () => this.finish(pod));
        return;
      }
      if (e.type === 'ADDED' && !(pod.spec as { nodeName?: string }).nodeName) void this.run(() => this.startPod(pod));
    }).stop;
  }

  stop(): void {
    this.stopWatch?.();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(ms: number, fn: () => Promise<void>): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.run(fn);
    }, ms);
    this.timers.add(t);
  }

  private async run(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      // A pod deleted or changed meanwhile is normal; anything else is a test failure to report.
      if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) this.failures.push(err);
    }
  }

  private scope(namespace: string | undefined) {
    return systemScope(this.podType, namespace, 'test-kubelet');
  }

  private async startPod(pod: KubeObject): Promise<void> {
    await this.service.bind(this.scope(pod.metadata.namespace), pod.metadata.name!, { target: { kind: 'Node', name: NODE } });
    const ready = this.readyWhen(pod);
    this.later(this.options.readyDelayMs ?? 20, () => this.report(pod, ready));
  }

  private async report(created: KubeObject, ready: boolean): Promise<void> {
    const pod = this.store.get('pods', `${created.metadata.namespace}/${created.metadata.name}`)?.obj;
    if (!pod || pod.metadata.uid !== created.metadata.uid || pod.metadata.deletionTimestamp) return;
    const t = now();
    const flag = ready ? 'True' : 'False';
    const status = {
      ...(pod.status as object),
      phase: 'Running',
      startTime: t,
      conditions: [
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: t },
        { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: t },
        { type: 'ContainersReady', status: flag, lastProbeTime: null, lastTransitionTime: t },
        { type: 'Ready', status: flag, lastProbeTime: null, lastTransitionTime: t },
      ],
    };
    await this.service.update(this.scope(pod.metadata.namespace), pod.metadata.name!, { ...pod, metadata: { ...pod.metadata }, status }, 'status');
  }

  /** Marks a running pod Failed (its containers exited), as the kubelet would report it. */
  async fail(name: string, namespace = 'default'): Promise<void> {
    const pod = this.store.get('pods', `${namespace}/${name}`)?.obj;
    if (!pod) throw new Error(`no pod ${namespace}/${name}`);
    await this.service.update(this.scope(namespace), name, { ...pod, metadata: { ...pod.metadata }, status: { ...(pod.status as object), phase: 'Failed' } }, 'status');
  }

  private async finish(pod: KubeObject): Promise<void> {
    await this.service.delete(this.scope(pod.metadata.namespace), pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid! } });
  }
}

/** Polls until `fn` returns something other than undefined/false. */
export async function waitFor<T>(what: string, fn: () => T | undefined | false, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A minimal valid pod template. */
export function podTemplate(labels: Record<string, string>, image = 'nginx:1.25', annotations?: Record<string, string>): Record<string, unknown> {
  return {
    metadata: { labels, ...(annotations ? { annotations } : {}) },
    spec: { containers: [{ name: 'main', image }] },
  };
}
