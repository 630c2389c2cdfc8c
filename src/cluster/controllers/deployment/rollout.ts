/**
 * One sync of one Deployment, as DeploymentController.syncDeployment runs it once the Deployment's
 * ReplicaSets are claimed: status only while it is being deleted; paused and resized Deployments
 * are scaled proportionally; otherwise a RollingUpdate or Recreate step. Every write goes through
 * `RolloutIO` (the controller's API writes) and the working copies of the Deployment and its
 * ReplicaSets are replaced by what each write stored, so later steps see their effect.
 */
import { now } from '../../api/resource-service.js';
import { ApiError } from '../../errors.js';
import { clone } from '../../builtin/util.js';
import type { KubeObject } from '../../objects.js';
import { computeHash, controllerRefOf } from '../workload-kit.js';
import {
  calculateStatus,
  getCondition,
  hasProgressDeadline,
  msUntilDeadline,
  newCondition,
  PROGRESSING,
  REASON,
  rolloutStatus,
  sameStatus,
  setCondition,
} from './deployment-status.js';
import { maxRevision, replicasAnnotationsNeedUpdate, replicaSetsBeyondHistoryLimit, setNewReplicaSetAnnotations, setReplicasAnnotations } from './revisions.js';
import {
  actualReplicaCount,
  annotationInt,
  deploymentComplete,
  filterActive,
  maxSurge,
  newRSNewReplicas,
  planOldScaleDown,
  planScale,
} from './rollout-math.js';
import { equalIgnoreHash, findNewReplicaSet, newReplicaSetFor } from './templates.js';
import {
  DESIRED_REPLICAS_ANNOTATION,
  deploymentSpec,
  deploymentStatus,
  isRollingUpdate,
  minReadySeconds,
  REVISION_ANNOTATION,
  replicaSetSpec,
  specReplicas,
  type DeploymentStatus,
} from './types.js';

/** The writes and reads a rollout step needs; the controller implements them over the ResourceService. */
export interface RolloutIO {
  /** Stores a ReplicaSet's new spec/metadata; `base` is the version the change was computed from. */
  updateReplicaSet(base: KubeObject, desired: KubeObject): Promise<KubeObject>;
  createReplicaSet(rs: KubeObject): Promise<KubeObject>;
  getReplicaSet(namespace: string, name: string): KubeObject | undefined;
  deleteReplicaSet(rs: KubeObject): Promise<void>;
  updateStatus(d: KubeObject, status: DeploymentStatus): Promise<KubeObject>;
  setRevisionAnnotation(d: KubeObject, revision: string): Promise<KubeObject>;
  /** Pods controlled by any of these ReplicaSets (terminating ones included). */
  podsOf(namespace: string, rsUids: Set<string>): KubeObject[];
  record(d: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
  requeueAfter(ms: number): void;
}

interface Sets {
  newRS: KubeObject | undefined;
  oldRSs: KubeObject[];
}

export class Rollout {
  private d: KubeObject;
  private rsList: KubeObject[];

  constructor(
    d: KubeObject,
    rsList: KubeObject[],
    private readonly io: RolloutIO,
  ) {
    this.d = d;
    this.rsList = [...rsList];
  }

  async run(): Promise<void> {
    if (this.d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = await this.replicaSets(false);
      await this.syncStatus(newRS, oldRSs);
      return;
    }
    await this.checkPausedConditions();
    if (deploymentSpec(this.d).paused || (await this.isScalingEvent())) {
      await this.syncScaling();
      return;
    }
    if (isRollingUpdate(this.d)) await this.rolloutRolling();
    else await this.rolloutRecreate();
  }

  // ------------------------------------------------------------ ReplicaSets and revisions

  /** The latest stored version of a ReplicaSet this sync knows. */
  private latest(rs: KubeObject): KubeObject {
    return this.rsList.find((x) => x.metadata.uid === rs.metadata.uid) ?? rs;
  }

  private remember(rs: KubeObject): KubeObject {
    const i = this.rsList.findIndex((x) => x.metadata.uid === rs.metadata.uid);
    if (i >= 0) this.rsList[i] = rs;
    else this.rsList.push(rs);
    return rs;
  }

  /** getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created when asked) and all the others. */
  private async replicaSets(create: boolean): Promise<Sets> {
    const existing = findNewReplicaSet(this.d, this.rsList);
    const oldRSs = this.rsList.filter((rs) => rs.metadata.uid !== existing?.metadata.uid);
    const newRS = existing ? await this.syncExistingNewReplicaSet(existing, oldRSs) : create ? await this.createNewReplicaSet(oldRSs) : undefined;
    return { newRS, oldRSs: oldRSs.map((rs) => this.latest(rs)) };
  }

  private async syncExistingNewReplicaSet(existing: KubeObject, oldRSs: KubeObject[]): Promise<KubeObject> {
    const copy = clone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(this.d, copy, maxRevision(oldRSs) + 1, true, maxSurge(this.d));
    const minReadyNeedsUpdate = minReadySeconds(copy) !== minReadySeconds(this.d);
    if (annotationsUpdated || minReadyNeedsUpdate) {
      const spec = copy.spec as { minReadySeconds?: number };
      if (minReadySeconds(this.d) > 0) spec.minReadySeconds = minReadySeconds(this.d);
      else delete spec.minReadySeconds;
      return this.remember(await this.io.updateReplicaSet(existing, copy));
    }
    await this.setDeploymentRevision(copy.metadata.annotations?.[REVISION_ANNOTATION]);
    if (hasProgressDeadline(this.d) && !getCondition(deploymentStatus(this.d), PROGRESSING)) {
      const status = clone(deploymentStatus(this.d));
      setCondition(status, newCondition(PROGRESSING, 'True', REASON.foundNewReplicaSet, `Found new replica set "${copy.metadata.name}"`, now()));
      await this.writeStatus(status);
    }
    return existing;
  }

  private async createNewReplicaSet(oldRSs: KubeObject[]): Promise<KubeObject> {
    const d = this.d;
    const hash = computeHash(deploymentSpec(d).template, deploymentStatus(d).collisionCount);
    const rs = newReplicaSetFor(d, hash);
    const replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    (rs.spec as { replicas: number }).replicas = replicas;
    const revision = maxRevision(oldRSs) + 1;
    setNewReplicaSetAnnotations(d, rs, revision, false, maxSurge(d));
    let created: KubeObject;
    let alreadyExisted = false;
    try {
      created = await this.io.createReplicaSet(rs);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.reason === 'AlreadyExists') {
        const found = this.io.getReplicaSet(d.metadata.namespace!, rs.metadata.name!);
        if (!found) throw err;
        // Ours already (a fast resync): use it. Anything else is a hash collision.
        if (controllerRefOf(found)?.uid !== d.metadata.uid || !equalIgnoreHash(deploymentSpec(d).template, replicaSetSpec(found).template)) {
          await this.bumpCollisionCount();
          throw err;
        }
        created = found;
        alreadyExisted = true;
      } else {
        await this.reportCreateFailure(rs.metadata.name!, err);
        throw err;
      }
    }
    this.remember(created);
    if (!alreadyExisted && replicas > 0) {
      this.io.record(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`);
    }
    await this.setDeploymentRevision(String(revision));
    if (!alreadyExisted && hasProgressDeadline(this.d)) {
      const status = clone(deploymentStatus(this.d));
      setCondition(status, newCondition(PROGRESSING, 'True', REASON.newReplicaSetCreated, `Created new replica set "${created.metadata.name}"`, now()));
      await this.writeStatus(status);
    }
    return created;
  }

  /** A different ReplicaSet holds the name: the next attempt hashes with collisionCount+1. */
  private async bumpCollisionCount(): Promise<void> {
    const status = clone(deploymentStatus(this.d));
    status.collisionCount = (status.collisionCount ?? 0) + 1;
    await this.writeStatus(status);
  }

  private async reportCreateFailure(name: string, err: ApiError): Promise<void> {
    // A terminating namespace refuses everything: nothing worth reporting.
    if ((err.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')) return;
    const msg = `Failed to create new replica set "${name}": ${err.message}`;
    if (hasProgressDeadline(this.d)) {
      const status = clone(deploymentStatus(this.d));
      setCondition(status, newCondition(PROGRESSING, 'False', REASON.failedReplicaSetCreate, msg, now()));
      await this.writeStatus(status).catch(() => undefined);
    }
    this.io.record(this.d, 'Warning', REASON.failedReplicaSetCreate, msg);
  }

  private async setDeploymentRevision(revision: string | undefined): Promise<void> {
    if (revision === undefined || this.d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return;
    this.d = clone(await this.io.setRevisionAnnotation(this.d, revision));
  }

  private async writeStatus(status: DeploymentStatus): Promise<void> {
    this.d = clone(await this.io.updateStatus(this.d, status));
  }

  // ------------------------------------------------------------ scaling

  /**
   * scaleReplicaSet(AndRecordEvent): writes a new size (and the desired/max replicas annotations);
   * `refreshAnnotations` also writes when only the annotations are stale. True when the size changed.
   */
  private async scaleReplicaSet(rs: KubeObject, replicas: number, refreshAnnotations = false): Promise<boolean> {
    const current = this.latest(rs);
    const oldSize = specReplicas(current);
    const sizeChanges = oldSize !== replicas;
    const desired = specReplicas(this.d);
    const max = desired + maxSurge(this.d);
    if (!sizeChanges && !(refreshAnnotations && replicasAnnotationsNeedUpdate(current, desired, max))) return false;
    const copy = clone(current);
    (copy.spec as { replicas: number }).replicas = replicas;
    setReplicasAnnotations(copy, desired, max);
    const stored = this.remember(await this.io.updateReplicaSet(current, copy));
    if (sizeChanges) {
      const direction = oldSize < replicas ? 'up' : 'down';
      this.io.record(this.d, 'Normal', 'ScalingReplicaSet', `Scaled ${direction} replica set ${stored.metadata.name} from ${oldSize} to ${replicas}`);
    }
    return sizeChanges;
  }

  /** isScalingEvent: an active ReplicaSet was sized for a different spec.replicas than the Deployment's now. */
  private async isScalingEvent(): Promise<boolean> {
    const { newRS, oldRSs } = await this.replicaSets(false);
    return filterActive([...oldRSs, newRS]).some((rs) => {
      const desired = annotationInt(rs, DESIRED_REPLICAS_ANNOTATION);
      return desired !== undefined && desired !== specReplicas(this.d);
    });
  }

  /** DeploymentController.sync: proportional scaling (also while paused), history cleanup when paused, status. */
  private async syncScaling(): Promise<void> {
    const { newRS, oldRSs } = await this.replicaSets(false);
    const plan = planScale(this.d, newRS, oldRSs);
    for (const t of plan.targets) await this.scaleReplicaSet(t.rs, t.replicas, plan.alwaysSyncAnnotations);
    if (deploymentSpec(this.d).paused) await this.cleanup(oldRSs);
    await this.syncStatus(newRS, oldRSs);
  }

  /** cleanupDeployment: old ReplicaSets beyond revisionHistoryLimit go. */
  private async cleanup(oldRSs: KubeObject[]): Promise<void> {
    for (const rs of replicaSetsBeyondHistoryLimit(this.d, oldRSs.map((x) => this.latest(x)))) {
      await this.io.deleteReplicaSet(rs);
      this.rsList = this.rsList.filter((x) => x.metadata.uid !== rs.metadata.uid);
    }
  }

  // ------------------------------------------------------------ strategies

  private async rolloutRolling(): Promise<void> {
    const { newRS, oldRSs } = await this.replicaSets(true);
    const fresh = this.latest(newRS!);
    if (await this.reconcileNewReplicaSet(fresh, oldRSs)) return this.syncRolloutStatus(newRS, oldRSs);
    if (await this.reconcileOldReplicaSets(oldRSs, fresh)) return this.syncRolloutStatus(newRS, oldRSs);
    if (deploymentComplete(this.d, deploymentStatus(this.d))) await this.cleanup(oldRSs);
    await this.syncRolloutStatus(newRS, oldRSs);
  }

  private async reconcileNewReplicaSet(newRS: KubeObject, oldRSs: KubeObject[]): Promise<boolean> {
    const replicas = specReplicas(this.d);
    const size = specReplicas(newRS);
    if (size === replicas) return false;
    if (size > replicas) return this.scaleReplicaSet(newRS, replicas);
    return this.scaleReplicaSet(newRS, newRSNewReplicas(this.d, [...oldRSs, newRS], newRS));
  }

  private async reconcileOldReplicaSets(oldRSs: KubeObject[], newRS: KubeObject): Promise<boolean> {
    let scaled = false;
    for (const t of planOldScaleDown(this.d, oldRSs, newRS)) {
      if (await this.scaleReplicaSet(t.rs, t.replicas)) scaled = true;
    }
    return scaled;
  }

  private async rolloutRecreate(): Promise<void> {
    let { newRS, oldRSs } = await this.replicaSets(false);
    let scaledDown = false;
    for (const rs of filterActive(oldRSs)) if (await this.scaleReplicaSet(rs, 0)) scaledDown = true;
    if (scaledDown || this.oldPodsRunning(newRS, oldRSs)) return this.syncRolloutStatus(newRS, oldRSs);
    // Only now, with every old pod gone, does the new ReplicaSet come into being.
    if (!newRS) ({ newRS, oldRSs } = await this.replicaSets(true));
    await this.scaleReplicaSet(newRS!, specReplicas(this.d));
    if (deploymentComplete(this.d, deploymentStatus(this.d))) await this.cleanup(oldRSs);
    await this.syncRolloutStatus(newRS, oldRSs);
  }

  /** Old pods still exist (terminating ones included, terminal ones not): Recreate must wait. */
  private oldPodsRunning(newRS: KubeObject | undefined, oldRSs: KubeObject[]): boolean {
    if (actualReplicaCount(oldRSs.map((rs) => this.latest(rs))) > 0) return true;
    const uids = new Set(this.rsList.map((rs) => rs.metadata.uid!).filter((uid) => uid !== newRS?.metadata.uid));
    return this.io.podsOf(this.d.metadata.namespace!, uids).some((pod) => {
      const phase = (pod.status as { phase?: string } | undefined)?.phase;
      return phase !== 'Succeeded' && phase !== 'Failed';
    });
  }

  // ------------------------------------------------------------ status

  private sets(newRS: KubeObject | undefined, oldRSs: KubeObject[]): { all: KubeObject[]; newRS: KubeObject | undefined } {
    const fresh = newRS ? this.latest(newRS) : undefined;
    const old = oldRSs.map((rs) => this.latest(rs)).filter((rs) => this.rsList.includes(rs));
    return { all: fresh ? [...old, fresh] : old, newRS: fresh };
  }

  /** syncDeploymentStatus: counts and Available only. */
  private async syncStatus(newRS: KubeObject | undefined, oldRSs: KubeObject[]): Promise<void> {
    const { all, newRS: current } = this.sets(newRS, oldRSs);
    const status = calculateStatus(this.d, all, current, now());
    if (!sameStatus(deploymentStatus(this.d), status)) await this.writeStatus(status);
  }

  /** syncRolloutStatus: counts, Available, Progressing (with the deadline), ReplicaFailure. */
  private async syncRolloutStatus(newRS: KubeObject | undefined, oldRSs: KubeObject[]): Promise<void> {
    const { all, newRS: current } = this.sets(newRS, oldRSs);
    const nowMs = Date.now();
    const status = rolloutStatus(this.d, all, current, now(), nowMs);
    if (!sameStatus(deploymentStatus(this.d), status)) {
      await this.writeStatus(status);
      return;
    }
    // No progress to record: make sure the deadline is checked when it passes.
    const wait = msUntilDeadline(this.d, status, nowMs);
    if (wait !== undefined) this.io.requeueAfter(wait + 100);
  }

  /** checkPausedConditions: Progressing Unknown with DeploymentPaused / DeploymentResumed, unless already timed out. */
  private async checkPausedConditions(): Promise<void> {
    if (!hasProgressDeadline(this.d)) return;
    const status = clone(deploymentStatus(this.d));
    const cond = getCondition(status, PROGRESSING);
    if (cond?.reason === REASON.timedOut) return;
    const pausedCondition = cond?.reason === REASON.paused;
    const paused = deploymentSpec(this.d).paused === true;
    if (paused && !pausedCondition) setCondition(status, newCondition(PROGRESSING, 'Unknown', REASON.paused, 'Deployment is paused', now()));
    else if (!paused && pausedCondition) setCondition(status, newCondition(PROGRESSING, 'Unknown', REASON.resumed, 'Deployment is resumed', now()));
    else return;
    await this.writeStatus(status);
  }
}
