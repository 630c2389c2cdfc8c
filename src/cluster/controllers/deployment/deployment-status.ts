/**
 * A Deployment's status as kube-controller-manager computes it: replica counts summed over its
 * ReplicaSets, the Available condition, and the Progressing condition whose reasons and messages
 * `kubectl rollout status` and `kubectl describe` read (NewReplicaSetCreated, FoundNewReplicaSet,
 * ReplicaSetUpdated, NewReplicaSetAvailable, ProgressDeadlineExceeded, DeploymentPaused,
 * DeploymentResumed), plus ReplicaFailure lifted from the ReplicaSets. Pure: time comes in as an
 * argument.
 */
import type { KubeObject } from '../../objects.js';
import { actualReplicaCount, availableReplicaCount, deploymentComplete, maxUnavailable, replicaCount } from './rollout-math.js';
import {
  deploymentSpec,
  deploymentStatus,
  readyReplicas,
  replicaSetStatus,
  specReplicas,
  type DeploymentCondition,
  type DeploymentStatus,
} from './types.js';

export const AVAILABLE = 'Available';
export const PROGRESSING = 'Progressing';
export const REPLICA_FAILURE = 'ReplicaFailure';

export const REASON = {
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
  newReplicaSetCreated: 'NewReplicaSetCreated',
  foundNewReplicaSet: 'FoundNewReplicaSet',
  replicaSetUpdated: 'ReplicaSetUpdated',
  newReplicaSetAvailable: 'NewReplicaSetAvailable',
  failedReplicaSetCreate: 'ReplicaSetCreateError',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
} as const;

/** progressDeadlineSeconds unset or MaxInt32 means "no deadline" (deploymentutil.HasProgressDeadline). */
export function hasProgressDeadline(d: KubeObject): boolean {
  const pds = deploymentSpec(d).progressDeadlineSeconds;
  return typeof pds === 'number' && pds !== 2147483647;
}

export function newCondition(type: string, status: DeploymentCondition['status'], reason: string, message: string, now: string): DeploymentCondition {
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

export function getCondition(status: DeploymentStatus, type: string): DeploymentCondition | undefined {
  return (status.conditions ?? []).find((c) => c.type === type);
}

/**
 * deploymentutil.SetDeploymentCondition: an identical status+reason leaves the condition alone;
 * an unchanged status keeps its lastTransitionTime; the new condition goes last.
 */
export function setCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

/** Drops zero counts, as Go's omitempty does on the wire (kubectl treats absent as 0). */
function withoutZeros(s: DeploymentStatus): DeploymentStatus {
  const out: DeploymentStatus = {};
  for (const [k, v] of Object.entries(s) as [keyof DeploymentStatus, unknown][]) {
    if (v === undefined || v === 0) continue;
    (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** DeploymentController.calculateStatus: counts from the ReplicaSets and the Available condition. */
export function calculateStatus(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject | undefined, now: string): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const total = replicaCount(allRSs);
  const current = deploymentStatus(d);
  const status: DeploymentStatus = withoutZeros({
    observedGeneration: d.metadata.generation,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: newRS ? actualReplicaCount([newRS]) : 0,
    readyReplicas: allRSs.reduce((n, rs) => n + readyReplicas(rs), 0),
    availableReplicas: available,
    // More available than desired happens while scaling down: that is not "unavailable".
    unavailableReplicas: Math.max(0, total - available),
    collisionCount: current.collisionCount,
  });
  if (current.conditions) status.conditions = current.conditions.map((c) => ({ ...c }));
  if (available >= specReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(AVAILABLE, 'True', REASON.minimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition(AVAILABLE, 'False', REASON.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** deploymentutil.DeploymentProgressing: any sign of progress since the stored status. */
function madeProgress(d: KubeObject, next: DeploymentStatus): boolean {
  const old = deploymentStatus(d);
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** deploymentutil.DeploymentTimedOut: no progress reported within progressDeadlineSeconds. */
export function timedOut(d: KubeObject, status: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(status, PROGRESSING);
  if (!cond) return false;
  // After a completed rollout there is nothing to time out (a new ReplicaSet's condition is on its way).
  if (cond.reason === REASON.newReplicaSetAvailable) return false;
  if (cond.reason === REASON.timedOut) return true;
  const from = cond.lastUpdateTime ? Date.parse(cond.lastUpdateTime) : NaN;
  if (Number.isNaN(from)) return false;
  return from + deploymentSpec(d).progressDeadlineSeconds! * 1000 < nowMs;
}

/** ReplicaSet failure conditions as Deployment conditions: the new ReplicaSet's first, else any old one's. */
function replicaFailure(allRSs: KubeObject[], newRS: KubeObject | undefined): DeploymentCondition | undefined {
  const failureOf = (rs: KubeObject): DeploymentCondition | undefined => {
    const c = (replicaSetStatus(rs).conditions ?? []).find((x) => x.type === REPLICA_FAILURE);
    if (!c) return undefined;
    return { type: c.type, status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message };
  };
  if (newRS) {
    const c = failureOf(newRS);
    if (c) return c;
  }
  for (const rs of allRSs) {
    const c = failureOf(rs);
    if (c) return c;
  }
  return undefined;
}

/** DeploymentController.syncRolloutStatus's computation: the status after a rollout step. */
export function rolloutStatus(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject | undefined, now: string, nowMs: number): DeploymentStatus {
  const status = calculateStatus(d, allRSs, newRS, now);
  if (!hasProgressDeadline(d)) removeCondition(status, PROGRESSING);
  const currentCond = getCondition(deploymentStatus(d), PROGRESSING);
  const isComplete = (status.replicas ?? 0) === (status.updatedReplicas ?? 0) && currentCond?.reason === REASON.newReplicaSetAvailable;
  if (hasProgressDeadline(d) && !isComplete) {
    const name = d.metadata.name!;
    if (deploymentComplete(d, status)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` : `Deployment "${name}" has successfully progressed.`;
      setCondition(status, newCondition(PROGRESSING, 'True', REASON.newReplicaSetAvailable, msg, now));
    } else if (madeProgress(d, status)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" is progressing.` : `Deployment "${name}" is progressing.`;
      const cond = newCondition(PROGRESSING, 'True', REASON.replicaSetUpdated, msg, now);
      // Progress refreshes lastUpdateTime even with the same reason (which setCondition would ignore).
      if (currentCond) {
        if (currentCond.status === 'True') cond.lastTransitionTime = currentCond.lastTransitionTime;
        removeCondition(status, PROGRESSING);
      }
      setCondition(status, cond);
    } else if (timedOut(d, status, nowMs)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` : `Deployment "${name}" has timed out progressing.`;
      setCondition(status, newCondition(PROGRESSING, 'False', REASON.timedOut, msg, now));
    }
  }
  const failure = replicaFailure(allRSs, newRS);
  if (failure) setCondition(status, failure);
  else removeCondition(status, REPLICA_FAILURE);
  return status;
}

/**
 * requeueStuckDeployment: when a rollout shows no progress, the milliseconds until its deadline
 * passes (so that the timeout is noticed without any other event), or undefined when there is
 * nothing to watch for.
 */
export function msUntilDeadline(d: KubeObject, status: DeploymentStatus, nowMs: number): number | undefined {
  const cond = getCondition(deploymentStatus(d), PROGRESSING);
  if (!hasProgressDeadline(d) || !cond) return undefined;
  if (deploymentComplete(d, status) || cond.reason === REASON.timedOut) return undefined;
  const from = cond.lastUpdateTime ? Date.parse(cond.lastUpdateTime) : NaN;
  if (Number.isNaN(from)) return undefined;
  return Math.max(0, from + deploymentSpec(d).progressDeadlineSeconds! * 1000 - nowMs);
}

/** Status equality as reflect.DeepEqual would judge the Go structs (JSON key order aside). */
export function sameStatus(a: DeploymentStatus, b: DeploymentStatus): boolean {
  return canonical(withoutZeros(a)) === canonical(withoutZeros(b));
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return value;
  });
}
