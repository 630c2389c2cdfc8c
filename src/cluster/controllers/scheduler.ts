/**
 * The scheduler of a one-node cluster: every pod without `spec.nodeName` whose schedulerName is
 * ours is bound to the node through `pods/binding`, unless its nodeSelector (or required node
 * affinity on labels) rules the node out, in which case it stays Pending with PodScheduled=False,
 * reason Unschedulable, as kube-scheduler reports it.
 */
import type { ResourceRegistry } from '../api/resource-registry.js';
import type { ResourceService } from '../api/resource-service.js';
import { now } from '../api/resource-service.js';
import { ApiError } from '../errors.js';
import type { KubeObject } from '../objects.js';
import type { ObjectStore } from '../store/object-store.js';
import type { EventRecorder } from './event-recorder.js';
import { systemScope } from './system-scope.js';
import { StoreController } from './store-controller.js';

const MANAGER = 'default-scheduler';

interface PodSpecForScheduling {
  nodeName?: string;
  schedulerName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } };
}

interface NodeSelectorTerm {
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export class Scheduler extends StoreController {
  constructor(
    store: ObjectStore,
    registry: ResourceRegistry,
    service: ResourceService,
    onError: (key: string, err: unknown) => void,
    private readonly recorder: EventRecorder,
    private readonly nodeName: string,
  ) {
    super(store, registry, service, onError);
  }

  start(): void {
    const backlog = this.follow('pods', (e) => {
      if (e.type !== 'DELETED') this.consider(e.key, e.object.obj);
    });
    for (const e of backlog) if (e.type !== 'DELETED') this.consider(e.key, e.object.obj);
    for (const { obj } of this.store.list('pods')) this.consider(`${obj.metadata.namespace}/${obj.metadata.name}`, obj);
    // A node whose labels change may make waiting pods schedulable.
    this.follow('nodes', () => {
      for (const { obj } of this.store.list('pods')) this.consider(`${obj.metadata.namespace}/${obj.metadata.name}`, obj);
    });
  }

  private consider(key: string, pod: KubeObject): void {
    const spec = pod.spec as PodSpecForScheduling | undefined;
    if (!spec || spec.nodeName || pod.metadata.deletionTimestamp) return;
    if ((spec.schedulerName ?? 'default-scheduler') !== 'default-scheduler') return;
    this.queue.add(key, () => this.schedule(key));
  }

  private async schedule(key: string): Promise<void> {
    const stored = this.store.get('pods', key);
    if (!stored) return;
    const pod = stored.obj;
    const spec = pod.spec as PodSpecForScheduling;
    if (spec.nodeName || pod.metadata.deletionTimestamp) return;
    const node = this.store.get('nodes', this.nodeName)?.obj;
    const podType = this.registry.lookup('', 'v1', 'pods')!;
    const scope = systemScope(podType, pod.metadata.namespace, MANAGER);
    if (!node || !fits(spec, node.metadata.labels ?? {})) {
      const message = node
        ? "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
        : 'no nodes available to schedule pods';
      await this.markUnschedulable(pod, message);
      return;
    }
    try {
      await this.service.bind(scope, pod.metadata.name!, { target: { kind: 'Node', name: this.nodeName } });
    } catch (err) {
      // Deleted or bound meanwhile: nothing left to do.
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
    this.recorder.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${this.nodeName}`);
  }

  private async markUnschedulable(pod: KubeObject, message: string): Promise<void> {
    const conditions = ((pod.status as { conditions?: { type: string; message?: string }[] } | undefined)?.conditions ?? []);
    if (conditions.some((c) => c.type === 'PodScheduled' && c.message === message)) return;
    const next = structuredClone(pod);
    next.status = {
      ...(next.status as object),
      phase: 'Pending',
      conditions: [
        ...conditions.filter((c) => c.type !== 'PodScheduled'),
        { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: now() },
      ],
    };
    const podType = this.registry.lookup('', 'v1', 'pods')!;
    await this.service.update(systemScope(podType, pod.metadata.namespace, MANAGER), pod.metadata.name!, next, 'status');
    this.recorder.record(pod, 'Warning', 'FailedScheduling', message);
  }
}

/** nodeSelector and required node affinity against the node's labels (the only node predicates a one-node cluster needs). */
export function fits(spec: PodSpecForScheduling, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return true;
  return terms.some((t) => (t.matchExpressions ?? []).every((e) => expressionMatches(e, labels)));
}

function expressionMatches(e: { key: string; operator: string; values?: string[] }, labels: Record<string, string>): boolean {
  const v = labels[e.key];
  const values = e.values ?? [];
  switch (e.operator) {
    case 'In': return v !== undefined && values.includes(v);
    case 'NotIn': return v === undefined || !values.includes(v);
    case 'Exists': return v !== undefined;
    case 'DoesNotExist': return v === undefined;
    case 'Gt': return v !== undefined && Number(v) > Number(values[0]);
    case 'Lt': return v !== undefined && Number(v) < Number(values[0]);
    default: return false;
  }
}
