/**
 * The ReplicaSet controller (kube-controller-manager's replicaset controller): keeps
 * `spec.replicas` active pods matching a ReplicaSet's selector and controlled by it — adopting
 * orphans, releasing pods that stopped matching, creating missing pods from the template in
 * slow-start batches, deleting surplus pods least valuable first — and reports replicas,
 * fullyLabeledReplicas, readyReplicas, availableReplicas (minReadySeconds honoured) and a
 * ReplicaFailure condition through the status subresource.
 *
 * Pods are indexed by their controller's uid from the store's watch, so a sync costs the pods of one
 * ReplicaSet, not all pods. Pod writes complete only after their watch event has been delivered,
 * so after awaiting its writes a sync sees its own pods in the index: no expectations bookkeeping
 * is needed to avoid double creates.
 */
import { now } from '../api/resource-service.js';
import { selectorMatches, type Selector } from '../builtin/selectors.js';
import { clone } from '../builtin/util.js';
import { ApiError } from '../errors.js';
import type { KubeObject, ResourceType } from '../objects.js';
import type { StoreEvent } from '../store/object-store.js';
import { affectedOwners, claim } from './deployment/claim.js';
import { podsToDelete } from './deployment/pod-ranking.js';
import { queuedRechecks } from './deployment/rechecks.js';
import { calculateReplicaSetStatus, replicaSetStatusChanged, type ManageFailure } from './deployment/replicaset-status.js';
import { SelectorCache } from './deployment/selector-cache.js';
import { slowStartBatch } from './deployment/slow-start.js';
import { generation, replicaSetSpec, specReplicas } from './deployment/types.js';
import { OwnerIndex } from './owner-index.js';
import { systemScope } from './system-scope.js';
import { WorkloadController } from './workload-controller.js';
import { isPodActive, namespacedKey, newControllerRef } from './workload-kit.js';

const MANAGER = 'kube-controller-manager';
const RS_RESOURCE = 'apps/replicasets';
/** At most this many pods are created or deleted per sync (kube-controller-manager's burstReplicas). */
const BURST_REPLICAS = 500;
/** The API server cuts generateName to this many characters before adding its 5-character suffix. */
const MAX_GENERATE_NAME = 58;

export class ReplicaSetController extends WorkloadController {
  private readonly pods = new OwnerIndex();
  private readonly selectors = new SelectorCache();
  private readonly rechecks = queuedRechecks(this.queue, (key) => this.sync(key));

  start(): void {
    this.follow(RS_RESOURCE, (e) => this.onOwner(e));
    this.follow('pods', (e) => this.onPod(e));
    // Both lists are read in the same synchronous stretch as the subscriptions: nothing falls between.
    for (const { obj } of this.store.list('pods')) this.pods.put(namespacedKey(obj), obj);
    for (const { obj } of this.store.list(RS_RESOURCE)) {
      this.ownerKeys.set(obj.metadata.uid!, namespacedKey(obj));
      this.enqueue(namespacedKey(obj));
    }
  }

  private get podType(): ResourceType {
    return this.registry.lookup('', 'v1', 'pods')!;
  }

  private get rsType(): ResourceType {
    return this.registry.lookup('apps', 'v1', 'replicasets')!;
  }

  /** Our own status writes need no new sync: the status was computed from the pods. */
  protected override changeNeedsSync(e: StoreEvent): boolean {
    return !(e.prev && onlyStatusChanged(e.prev.obj, e.object.obj));
  }

  protected override forgetOwner(uid: string, key: string): void {
    this.selectors.forget(uid);
    this.rechecks.forget(key);
  }

  private onPod(e: StoreEvent): void {
    this.pods.observe(e);
    const { ownerUids, orphan } = affectedOwners(e);
    for (const uid of ownerUids) this.enqueueOwner(uid);
    if (orphan) for (const key of this.replicaSetsSelecting(orphan)) this.enqueue(key);
  }

  private replicaSetsSelecting(pod: KubeObject): string[] {
    return this.store
      .list(RS_RESOURCE, pod.metadata.namespace)
      .filter(({ obj }) => selectorMatches(this.selectors.selectorOf(obj), pod.metadata.labels))
      .map(({ obj }) => namespacedKey(obj));
  }

  /** The ReplicaSet's active pods plus its namespace's active orphans, straight from the index. */
  private candidatePods(rs: KubeObject): KubeObject[] {
    const out: KubeObject[] = [];
    for (const key of this.pods.claimableKeys(rs)) {
      const pod = this.store.get('pods', key)?.obj;
      if (pod && isPodActive(pod)) out.push(pod);
    }
    return out;
  }

  /** Active pods controlled by the ReplicaSet and matching its selector (after claiming, this is what it runs). */
  private ownedActivePods(rs: KubeObject, selector: Selector): KubeObject[] {
    const out: KubeObject[] = [];
    for (const key of this.pods.owned(rs.metadata.uid).keys()) {
      const pod = this.store.get('pods', key)?.obj;
      if (pod && isPodActive(pod) && selectorMatches(selector, pod.metadata.labels)) out.push(pod);
    }
    return out;
  }

  protected async sync(key: string): Promise<void> {
    const rs = this.store.get(RS_RESOURCE, key)?.obj;
    if (!rs) return;
    const selector = this.selectors.selectorOf(rs);
    // Validation rules these out; were one stored anyway, every pod created would go unseen and be
    // created again, without end.
    if (selector.kind === 'error' || selector.kind === 'nothing') {
      this.recorder.record(rs, 'Warning', 'InvalidSelector', `spec.selector: ${selector.kind === 'error' ? selector.message : 'Required value'}`);
      return;
    }
    if (!selectorMatches(selector, replicaSetSpec(rs).template?.metadata?.labels)) {
      this.recorder.record(rs, 'Warning', 'InvalidSelector', 'spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`');
      return;
    }
    const claimed = await claim({
      owner: rs,
      selector,
      candidates: this.candidatePods(rs),
      type: this.podType,
      service: this.service,
      fieldManager: MANAGER,
      current: () => this.store.get(RS_RESOURCE, key)?.obj,
    });
    if (claimed.retry) this.enqueue(key, 50);

    let failure: ManageFailure | undefined;
    let failureError: unknown;
    if (!rs.metadata.deletionTimestamp) {
      const result = await this.manageReplicas(rs, claimed.claimed);
      failure = result.failure;
      failureError = result.error;
    }
    await this.writeStatus(key, rs, selector, failure);
    // Kubernetes requeues a failed create/delete with back-off; the queue does that for a thrown error.
    if (failureError !== undefined) throw failureError;
  }

  private async manageReplicas(rs: KubeObject, pods: KubeObject[]): Promise<{ failure?: ManageFailure; error?: unknown }> {
    const diff = pods.length - specReplicas(rs);
    if (diff < 0) {
      const { error } = await slowStartBatch(Math.min(-diff, BURST_REPLICAS), 1, () => this.createPod(rs));
      if (error === undefined || isNamespaceTerminating(error)) return {};
      return { failure: { reason: 'FailedCreate', message: errorText(error) }, error };
    }
    if (diff > 0) {
      const victims = podsToDelete(pods, Math.min(diff, BURST_REPLICAS));
      const results = await Promise.allSettled(victims.map((pod) => this.deletePod(rs, pod)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) return { failure: { reason: 'FailedDelete', message: errorText(failed.reason) }, error: failed.reason };
    }
    return {};
  }

  /** controller.GetPodFromTemplate: labels, annotations and finalizers of the template, the controller reference, the template's spec. */
  private podFromTemplate(rs: KubeObject): KubeObject {
    const template = replicaSetSpec(rs).template ?? {};
    const meta = template.metadata ?? {};
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${rs.metadata.name}-`.slice(0, MAX_GENERATE_NAME),
        namespace: rs.metadata.namespace,
        ownerReferences: [newControllerRef(rs)],
      },
      spec: clone(template.spec ?? {}),
    };
    if (meta.labels) pod.metadata.labels = { ...meta.labels };
    if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
    if (Array.isArray(meta.finalizers)) pod.metadata.finalizers = [...meta.finalizers];
    return pod;
  }

  private async createPod(rs: KubeObject): Promise<void> {
    const scope = systemScope(this.podType, rs.metadata.namespace, MANAGER);
    // A generated name can collide (27^5 suffixes): the API server then answers AlreadyExists; try another.
    for (let attempt = 0; ; attempt++) {
      try {
        const { object } = await this.service.create(scope, this.podFromTemplate(rs));
        this.recorder.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${object.metadata.name}`);
        return;
      } catch (err) {
        if (err instanceof ApiError && err.reason === 'AlreadyExists' && attempt < 3) continue;
        if (!isNamespaceTerminating(err)) this.recorder.record(rs, 'Warning', 'FailedCreate', `Error creating: ${errorText(err)}`);
        throw err;
      }
    }
  }

  private async deletePod(rs: KubeObject, pod: KubeObject): Promise<void> {
    const scope = systemScope(this.podType, pod.metadata.namespace, MANAGER);
    try {
      await this.service.delete(scope, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid! } });
    } catch (err) {
      // Already gone (or replaced by a namesake): nothing to delete.
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
      this.recorder.record(rs, 'Warning', 'FailedDelete', `Error deleting: ${errorText(err)}`);
      throw err;
    }
    this.recorder.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
  }

  /** Status from the pods as they are now (after this sync's creates and deletes), written only when it changed. */
  private async writeStatus(key: string, acted: KubeObject, selector: Selector, failure: ManageFailure | undefined): Promise<void> {
    const rs = this.store.get(RS_RESOURCE, key)?.obj;
    // Deleted, replaced or respecified meanwhile: the change's own event brings us back.
    if (!rs || rs.metadata.uid !== acted.metadata.uid || generation(rs) !== generation(acted)) return;
    const { status, recheckInMs } = calculateReplicaSetStatus(rs, this.ownedActivePods(rs, selector), failure, now(), Date.now());
    // A pod turns available minReadySeconds after it turned ready, with no event to say so: look again then.
    if (recheckInMs !== undefined) this.rechecks.request(key, recheckInMs + 1);
    if (!replicaSetStatusChanged(rs, status)) return;
    try {
      await this.service.update(systemScope(this.rsType, rs.metadata.namespace, MANAGER), rs.metadata.name!, { ...rs, metadata: { ...rs.metadata }, status }, 'status');
    } catch (err) {
      // A concurrent change: its watch event re-queues this ReplicaSet.
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }
}

function onlyStatusChanged(prev: KubeObject, cur: KubeObject): boolean {
  const a = prev.metadata;
  const b = cur.metadata;
  return (
    a.generation === b.generation &&
    a.deletionTimestamp === b.deletionTimestamp &&
    JSON.stringify(a.labels ?? {}) === JSON.stringify(b.labels ?? {}) &&
    JSON.stringify(a.ownerReferences ?? []) === JSON.stringify(b.ownerReferences ?? [])
  );
}

function isNamespaceTerminating(err: unknown): boolean {
  return err instanceof ApiError && (err.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
