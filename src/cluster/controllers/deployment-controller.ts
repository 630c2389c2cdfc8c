/**
 * The Deployment controller (kube-controller-manager's deployment controller): claims the
 * ReplicaSets a Deployment selects, gives each pod template its own ReplicaSet
 * (`<deployment>-<pod-template-hash>`, revision-numbered), rolls from old to new by RollingUpdate
 * (within maxSurge / maxUnavailable) or Recreate, scales proportionally when resized mid-rollout,
 * honours `paused`, `revisionHistoryLimit` and `progressDeadlineSeconds`, and reports status and
 * conditions the way `kubectl rollout status|history|undo|restart` expect.
 *
 * ReplicaSets are indexed by their controller's uid from the store's watch; the rollout step
 * itself lives in `deployment/rollout.ts`.
 */
import { selectorEmpty, selectorMatches } from '../builtin/selectors.js';
import { clone } from '../builtin/util.js';
import { ApiError, conflict } from '../errors.js';
import type { KubeObject, ResourceType } from '../objects.js';
import type { StoreEvent } from '../store/object-store.js';
import { affectedOwners, claim } from './deployment/claim.js';
import { queuedRechecks } from './deployment/rechecks.js';
import { Rollout, type RolloutIO } from './deployment/rollout.js';
import { SelectorCache } from './deployment/selector-cache.js';
import { deploymentStatus, isRollingUpdate, REVISION_ANNOTATION, type DeploymentStatus } from './deployment/types.js';
import { OwnerIndex } from './owner-index.js';
import { systemScope } from './system-scope.js';
import { WorkloadController } from './workload-controller.js';
import { controllerRefOf, namespacedKey } from './workload-kit.js';

const MANAGER = 'kube-controller-manager';
const DEPLOYMENTS = 'apps/deployments';
const REPLICASETS = 'apps/replicasets';

export class DeploymentController extends WorkloadController {
  private readonly replicaSets = new OwnerIndex();
  private readonly rsKeyByUid = new Map<string, string>();
  private readonly selectors = new SelectorCache();
  private readonly rechecks = queuedRechecks(this.queue, (key) => this.sync(key));

  start(): void {
    this.follow(DEPLOYMENTS, (e) => this.onOwner(e));
    this.follow(REPLICASETS, (e) => this.onReplicaSet(e));
    this.follow('pods', (e) => this.onPod(e));
    for (const { obj } of this.store.list(REPLICASETS)) {
      this.replicaSets.put(namespacedKey(obj), obj);
      this.rsKeyByUid.set(obj.metadata.uid!, namespacedKey(obj));
    }
    for (const { obj } of this.store.list(DEPLOYMENTS)) {
      this.ownerKeys.set(obj.metadata.uid!, namespacedKey(obj));
      this.enqueue(namespacedKey(obj));
    }
  }

  private get deploymentType(): ResourceType {
    return this.registry.lookup('apps', 'v1', 'deployments')!;
  }

  private get rsType(): ResourceType {
    return this.registry.lookup('apps', 'v1', 'replicasets')!;
  }

  // ------------------------------------------------------------ events

  protected override forgetOwner(uid: string, key: string): void {
    this.selectors.forget(uid);
    this.rechecks.forget(key);
  }

  private onReplicaSet(e: StoreEvent): void {
    const rs = e.object.obj;
    this.replicaSets.observe(e);
    if (e.type === 'DELETED') this.rsKeyByUid.delete(rs.metadata.uid!);
    else this.rsKeyByUid.set(rs.metadata.uid!, e.key);
    const { ownerUids, orphan } = affectedOwners(e);
    for (const uid of ownerUids) this.enqueueOwner(uid);
    if (orphan) for (const key of this.deploymentsSelecting(orphan)) this.enqueue(key);
  }

  /** A Recreate rollout waits for the old pods to be gone: their removal (or end) lets it continue. */
  private onPod(e: StoreEvent): void {
    const pod = e.object.obj;
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    const ended = e.type === 'DELETED' || ((phase === 'Succeeded' || phase === 'Failed') && (e.prev?.obj.status as { phase?: string } | undefined)?.phase !== phase);
    if (!ended) return;
    const rsKey = this.rsKeyByUid.get(controllerRefOf(pod)?.uid ?? '');
    const rs = rsKey ? this.store.get(REPLICASETS, rsKey)?.obj : undefined;
    const dKey = rs ? this.ownerKeys.get(controllerRefOf(rs)?.uid ?? '') : undefined;
    const d = dKey ? this.store.get(DEPLOYMENTS, dKey)?.obj : undefined;
    if (d && !isRollingUpdate(d)) this.enqueue(dKey!);
  }

  /** Deployments (by key) whose non-empty selector matches the ReplicaSet. */
  private deploymentsSelecting(rs: KubeObject): string[] {
    return this.store
      .list(DEPLOYMENTS, rs.metadata.namespace)
      .filter(({ obj }) => {
        const s = this.selectors.selectorOf(obj);
        return !selectorEmpty(s) && selectorMatches(s, rs.metadata.labels);
      })
      .map(({ obj }) => namespacedKey(obj));
  }

  private candidateReplicaSets(d: KubeObject): KubeObject[] {
    const out: KubeObject[] = [];
    for (const key of this.replicaSets.claimableKeys(d)) {
      const rs = this.store.get(REPLICASETS, key)?.obj;
      if (rs) out.push(rs);
    }
    return out;
  }

  // ------------------------------------------------------------ sync

  protected async sync(key: string): Promise<void> {
    const stored = this.store.get(DEPLOYMENTS, key)?.obj;
    if (!stored) return;
    const d = clone(stored);
    const selector = this.selectors.selectorOf(d);
    if (selector.kind === 'error' || selector.kind === 'nothing') {
      const why = selector.kind === 'error' ? selector.message : 'a selector is required';
      this.recorder.record(d, 'Warning', 'InvalidSelector', `spec.selector: ${why}`);
      return;
    }
    if (selectorEmpty(selector)) {
      this.recorder.record(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((deploymentStatus(d).observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        await this.catchConflict(this.updateStatus(d, { ...deploymentStatus(d), observedGeneration: d.metadata.generation }));
      }
      return;
    }
    const claimed = await claim({
      owner: d,
      selector,
      candidates: this.candidateReplicaSets(d),
      type: this.rsType,
      service: this.service,
      fieldManager: MANAGER,
      current: () => this.store.get(DEPLOYMENTS, key)?.obj,
    });
    if (claimed.retry) this.enqueue(key, 50);
    await this.catchConflict(new Rollout(d, claimed.claimed, this.io(key)).run());
  }

  /**
   * A 409 means someone changed what this sync read; that change's watch event brings the
   * Deployment back. A namespace being terminated refuses every create; its deletion follows.
   */
  private async catchConflict(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (err) {
      if (err instanceof ApiError && err.reason === 'Conflict') return;
      if (err instanceof ApiError && (err.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')) return;
      throw err;
    }
  }

  private io(key: string): RolloutIO {
    return {
      updateReplicaSet: (base, desired) => this.updateReplicaSet(base, desired),
      createReplicaSet: async (rs) => (await this.service.create(systemScope(this.rsType, rs.metadata.namespace, MANAGER), rs)).object,
      getReplicaSet: (namespace, name) => this.store.get(REPLICASETS, `${namespace}/${name}`)?.obj,
      deleteReplicaSet: async (rs) => {
        try {
          await this.service.delete(systemScope(this.rsType, rs.metadata.namespace, MANAGER), rs.metadata.name!, { preconditions: { uid: rs.metadata.uid! } });
        } catch (err) {
          if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
        }
      },
      updateStatus: (d, status) => this.updateStatus(d, status),
      setRevisionAnnotation: (d, revision) => this.setRevisionAnnotation(d, revision),
      podsOf: (namespace, uids) => this.store.list('pods', namespace).map((s) => s.obj).filter((pod) => uids.has(controllerRefOf(pod)?.uid ?? '')),
      record: (d, type, reason, message) => this.recorder.record(d, type, reason, message),
      requeueAfter: (ms) => this.rechecks.request(key, ms),
    };
  }

  /**
   * Writes a ReplicaSet computed from `base`. When only its status moved on since (its own
   * controller reporting), the change still holds and is written over the newer version; any
   * other change is a conflict, and the sync starts over from the new state.
   */
  private async updateReplicaSet(base: KubeObject, desired: KubeObject): Promise<KubeObject> {
    const fresh = this.store.get(REPLICASETS, namespacedKey(base))?.obj;
    if (!fresh || fresh.metadata.uid !== base.metadata.uid || !sameButStatus(fresh, base)) {
      throw conflict('replicasets.apps', base.metadata.name!, 'the object has been modified; please apply your changes to the latest version and try again', 'apps');
    }
    const body = { ...desired, metadata: { ...desired.metadata, resourceVersion: fresh.metadata.resourceVersion } };
    return (await this.service.update(systemScope(this.rsType, base.metadata.namespace, MANAGER), base.metadata.name!, body)).object;
  }

  /** The status subresource, over the newest version as long as the spec this sync acted on is still the spec. */
  private async updateStatus(d: KubeObject, status: DeploymentStatus): Promise<KubeObject> {
    const fresh = this.store.get(DEPLOYMENTS, namespacedKey(d))?.obj;
    if (!fresh || fresh.metadata.uid !== d.metadata.uid || fresh.metadata.generation !== d.metadata.generation) {
      throw conflict('deployments.apps', d.metadata.name!, 'the object has been modified; please apply your changes to the latest version and try again', 'apps');
    }
    const body = { ...fresh, metadata: { ...fresh.metadata }, status };
    return (await this.service.update(systemScope(this.deploymentType, d.metadata.namespace, MANAGER), d.metadata.name!, body, 'status')).object;
  }

  /**
   * Kubernetes sets the Deployment's revision annotation through its status update (the status
   * strategy there keeps metadata changes); here the status subresource writes status only, so the
   * annotation is a merge patch of its own.
   */
  private async setRevisionAnnotation(d: KubeObject, revision: string): Promise<KubeObject> {
    const fresh = this.store.get(DEPLOYMENTS, namespacedKey(d))?.obj;
    if (!fresh || fresh.metadata.uid !== d.metadata.uid || fresh.metadata.generation !== d.metadata.generation) {
      throw conflict('deployments.apps', d.metadata.name!, 'the object has been modified; please apply your changes to the latest version and try again', 'apps');
    }
    const patch = { metadata: { annotations: { [REVISION_ANNOTATION]: revision }, resourceVersion: fresh.metadata.resourceVersion } };
    return (await this.service.patch(systemScope(this.deploymentType, d.metadata.namespace, MANAGER), d.metadata.name!, 'merge', patch)).object;
  }
}

/** Equal but for status (and the bookkeeping every write changes). */
function sameButStatus(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): string => {
    const { status: _s, metadata, ...rest } = o;
    const { resourceVersion: _rv, managedFields: _mf, ...meta } = metadata;
    return JSON.stringify({ ...rest, metadata: meta });
  };
  return a.metadata.resourceVersion === b.metadata.resourceVersion || strip(a) === strip(b);
}
