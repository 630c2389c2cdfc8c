/**
 * The StatefulSet controller (apps/v1), as kube-controller-manager's: stable pods `<set>-<ordinal>`
 * with their own PersistentVolumeClaims (created before the pod), created in order — each Running
 * and Ready before the next — and removed in reverse (OrderedReady), or all at once (Parallel);
 * RollingUpdate from the highest ordinal down to the partition (optionally maxUnavailable at a
 * time) or OnDelete; ControllerRevisions for `kubectl rollout history/undo`; and the status
 * `kubectl rollout status sts` reads.
 */
import { canonicalJson } from '../api/type-strategy.js';
import { isMap, type JsonMap } from '../builtin/util.js';
import { ApiError } from '../errors.js';
import type { KubeObject } from '../objects.js';
import { OwnerIndex } from './owner-index.js';
import { systemScope } from './system-scope.js';
import { WorkloadController } from './workload-controller.js';
import { msUntilNextAvailable, namespacedKey } from './workload-kit.js';
import { WakeUps } from './stateful/wake-ups.js';
import { REVISION_HASH_LABEL, RevisionHistory, revisionsToPrune, templateOfRevision, type Revision } from './stateful/revisions.js';
import {
  claimName,
  condemnedStep,
  desiredClaimOwners,
  firstUnhealthy,
  newClaim,
  newStatefulSetPod,
  ordinalOf,
  replicaStatus,
  replicaStep,
  revisionForSlot,
  revisionOf,
  rollingUpdateVictims,
  setSpec,
  slotPods,
  type PodSlots,
  type StatefulSet,
  type StatefulSetStatus,
} from './stateful/statefulset-model.js';

const SETS = 'apps/statefulsets';
const REVISIONS = 'apps/controllerrevisions';
const MANAGER = 'statefulset-controller';

/** No options yet; the type keeps the constructor shape every workload controller shares. */
export type StatefulSetControllerOptions = Record<string, never>;

export class StatefulSetController extends WorkloadController<StatefulSetControllerOptions> {
  private readonly pods = new OwnerIndex({ group: 'apps', kind: 'StatefulSet' });
  private readonly revisions = new OwnerIndex({ group: 'apps', kind: 'StatefulSet' });
  private readonly history = new RevisionHistory(this.registry, this.service, MANAGER, REVISION_HASH_LABEL);
  /** minReadySeconds and claims still being deleted: look again later. */
  private readonly wakeUps = new WakeUps((key) => this.enqueue(key));

  start(): void {
    this.followOwnersAndDependents(SETS, [
      { resource: 'pods', index: this.pods },
      { resource: REVISIONS, index: this.revisions },
    ]);
    this.enqueueAllOwners();
  }

  override stop(): void {
    this.wakeUps.stop();
    super.stop();
  }

  private scope(resource: 'pods' | 'persistentvolumeclaims' | 'statefulsets', namespace: string | undefined) {
    const type = resource === 'statefulsets' ? this.registry.lookup('apps', 'v1', 'statefulsets')! : this.registry.lookup('', 'v1', resource)!;
    return systemScope(type, namespace, MANAGER);
  }

  // ------------------------------------------------------------------ sync

  protected async sync(key: string): Promise<void> {
    const stored = this.store.get(SETS, key);
    if (!stored) return;
    const set = stored.obj as StatefulSet;
    // A set being deleted is the garbage collector's: its pods go with it.
    if (set.metadata.deletionTimestamp) return;
    await this.wakeUps.retryIfStale(key, () => this.syncSet(set, key));
  }

  private async syncSet(set: StatefulSet, key: string): Promise<void> {
    const spec = setSpec(set);
    const { revision: update, collisionCount } = await this.history.ensureUpdateRevision(
      set,
      this.ownedRevisions(set),
      spec.template,
      set.status?.collisionCount ?? 0,
    );
    const revisions = this.ownedRevisions(set);
    const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    const templates = {
      current: templateOfRevision(current) ?? (spec.template as JsonMap),
      update: templateOfRevision(update) ?? (spec.template as JsonMap),
    };
    const names = { current: current.metadata.name!, update: update.metadata.name! };

    const slots = slotPods(set, this.pods.owned(set.metadata.uid).values());
    const blocked = await this.processReplicas(set, slots, templates, names);
    if (!blocked) {
      const stop = await this.processCondemned(set, slots);
      if (!stop && spec.updateStrategy?.type !== 'OnDelete') {
        for (const pod of rollingUpdateVictims(set, slots.replicas, names.update)) {
          await this.deletePod(set, pod);
        }
      }
    }
    await this.reconcileClaimOwners(set, slots);
    await this.writeStatus(set, names, collisionCount);
    await this.truncateHistory(set, names);
    this.requeueForAvailability(set, key);
  }

  private ownedRevisions(set: StatefulSet): Revision[] {
    return [...this.revisions.owned(set.metadata.uid).values()] as Revision[];
  }

  /** Creates missing pods and replaces finished ones, in ordinal order; true when an OrderedReady set must wait. */
  private async processReplicas(set: StatefulSet, slots: PodSlots, templates: { current: JsonMap; update: JsonMap }, names: { current: string; update: string }): Promise<boolean> {
    const monotonic = setSpec(set).podManagementPolicy !== 'Parallel';
    for (let i = 0; i < slots.replicas.length; i++) {
      const { step, block } = replicaStep(set, slots, i);
      if (step.kind === 'create') {
        const which = revisionForSlot(set, i, set.status?.currentReplicas ?? 0);
        const created = await this.createPod(set, newStatefulSetPod(set, templates[which], step.ordinal, names[which]), step.ordinal);
        if (!created) {
          // A claim of the same name is still being deleted: try again once it is gone.
          this.wakeUps.at(namespacedKey(set), 500);
          if (monotonic) return true;
        }
      } else if (step.kind === 'delete') {
        const what = step.reason === 'failed' ? 'RecreatingFailedPod' : 'RecreatingTerminatedPod';
        this.recorder.record(set, 'Warning', what, `StatefulSet ${set.metadata.namespace}/${set.metadata.name} is recreating ${step.reason === 'failed' ? 'failed' : 'terminated'} Pod ${step.pod.metadata.name}`);
        await this.deletePod(set, step.pod);
      }
      if (block && monotonic) return true;
    }
    return false;
  }

  /** Removes pods beyond the replica count: highest ordinal first, one at a time unless Parallel. True when it must stop here. */
  private async processCondemned(set: StatefulSet, slots: PodSlots): Promise<boolean> {
    const first = firstUnhealthy(slots);
    for (const pod of slots.condemned) {
      const { remove, block } = condemnedStep(set, pod, first);
      if (remove) {
        await this.reconcileClaimOwnersOf(set, pod, true);
        await this.deletePod(set, pod);
      }
      if (block) return true;
    }
    return false;
  }

  /** Creates the pod's claims, then the pod. False when it cannot be created yet (a claim of the same name is still being deleted). */
  private async createPod(set: StatefulSet, pod: KubeObject, ordinal: number): Promise<boolean> {
    const podName = pod.metadata.name!;
    for (const template of setSpec(set).volumeClaimTemplates ?? []) {
      const name = claimName(template, set, ordinal);
      const existing = this.store.get('persistentvolumeclaims', `${set.metadata.namespace}/${name}`)?.obj;
      if (existing?.metadata.deletionTimestamp) return false;
      if (existing) continue;
      const claim = newClaim(set, template, ordinal);
      const owners = desiredClaimOwners(claim, set, undefined, false);
      if (owners.length > 0) claim.metadata.ownerReferences = owners;
      try {
        await this.service.create(this.scope('persistentvolumeclaims', set.metadata.namespace), claim);
        this.recorder.record(set, 'Normal', 'SuccessfulCreate', `create Claim ${name} Pod ${podName} in StatefulSet ${set.metadata.name} success`);
      } catch (err) {
        if (err instanceof ApiError && err.code === 409) continue;
        this.recorder.record(set, 'Warning', 'FailedCreate', `create Claim ${name} for Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${messageOf(err)}`);
        throw err;
      }
    }
    try {
      await this.service.create(this.scope('pods', set.metadata.namespace), pod);
      this.recorder.record(set, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${set.metadata.name} successful`);
      return true;
    } catch (err) {
      this.recorder.record(set, 'Warning', 'FailedCreate', `create Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${messageOf(err)}`);
      throw err;
    }
  }

  private async deletePod(set: StatefulSet, pod: KubeObject): Promise<void> {
    try {
      await this.service.delete(this.scope('pods', pod.metadata.namespace), pod.metadata.name!, { preconditions: { uid: pod.metadata.uid! } });
      this.recorder.record(set, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
      this.recorder.record(set, 'Warning', 'FailedDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${messageOf(err)}`);
      throw err;
    }
  }

  /** persistentVolumeClaimRetentionPolicy: claim owner references follow the policy for every pod the set has. */
  private async reconcileClaimOwners(set: StatefulSet, slots: PodSlots): Promise<void> {
    for (const pod of slots.replicas) if (pod) await this.reconcileClaimOwnersOf(set, pod, false);
  }

  private async reconcileClaimOwnersOf(set: StatefulSet, pod: KubeObject, condemned: boolean): Promise<void> {
    const ordinal = ordinalOf(set, pod);
    if (ordinal === undefined) return;
    for (const template of setSpec(set).volumeClaimTemplates ?? []) {
      const claim = this.store.get('persistentvolumeclaims', `${set.metadata.namespace}/${claimName(template, set, ordinal)}`)?.obj;
      if (!claim || claim.metadata.deletionTimestamp) continue;
      const owners = desiredClaimOwners(claim, set, pod, condemned);
      if (canonicalJson(owners) === canonicalJson(claim.metadata.ownerReferences ?? [])) continue;
      await this.service.patch(this.scope('persistentvolumeclaims', set.metadata.namespace), claim.metadata.name!, 'merge', {
        metadata: { ownerReferences: owners.length > 0 ? owners : null, resourceVersion: claim.metadata.resourceVersion },
      });
    }
  }

  private async writeStatus(set: StatefulSet, names: { current: string; update: string }, collisionCount: number): Promise<void> {
    const fresh = this.store.get(SETS, namespacedKey(set))?.obj as StatefulSet | undefined;
    if (!fresh || fresh.metadata.uid !== set.metadata.uid) return;
    const counts = replicaStatus(set, this.pods.owned(set.metadata.uid).values(), names.current, names.update);
    const status: StatefulSetStatus = {
      ...(isMap(fresh.status) ? fresh.status : {}),
      observedGeneration: set.metadata.generation,
      ...counts,
      currentRevision: names.current,
      updateRevision: names.update,
      collisionCount,
    };
    // completeRollingUpdate: once every pod runs the update revision and is ready, it is the current one.
    const rolling = setSpec(set).updateStrategy?.type !== 'OnDelete';
    if (rolling && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
      status.currentRevision = names.update;
      status.currentReplicas = status.updatedReplicas;
    }
    for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas'] as const) if (!status[k]) delete status[k];
    await this.service.update(this.scope('statefulsets', set.metadata.namespace), set.metadata.name!, { ...fresh, metadata: { ...fresh.metadata }, status }, 'status');
  }

  /** Keeps revisionHistoryLimit revisions that no pod, and neither the current nor the update revision, uses. */
  private async truncateHistory(set: StatefulSet, names: { current: string; update: string }): Promise<void> {
    const live = new Set([names.current, names.update]);
    const fresh = this.store.get(SETS, namespacedKey(set))?.obj as StatefulSet | undefined;
    if (fresh?.status?.currentRevision) live.add(fresh.status.currentRevision);
    for (const pod of this.pods.owned(set.metadata.uid).values()) {
      const rev = revisionOf(pod);
      if (rev) live.add(rev);
    }
    for (const rev of revisionsToPrune(this.ownedRevisions(set), live, setSpec(set).revisionHistoryLimit ?? 10)) await this.history.delete(rev);
  }

  /** With minReadySeconds, a ready pod becomes available later, with no event to say so: look again then. */
  private requeueForAvailability(set: StatefulSet, key: string): void {
    const due = msUntilNextAvailable(this.pods.owned(set.metadata.uid).values(), setSpec(set).minReadySeconds ?? 0);
    if (due !== undefined) this.wakeUps.at(key, due + 50);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
