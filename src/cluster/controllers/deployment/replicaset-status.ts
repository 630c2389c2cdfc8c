/**
 * A ReplicaSet's status as the replicaset controller computes it from the pods it owns: replicas,
 * fullyLabeledReplicas, readyReplicas, availableReplicas (honouring minReadySeconds) and the
 * ReplicaFailure condition that carries a failed pod create/delete. Pure: time comes in.
 */
import type { KubeObject } from '../../objects.js';
import { isPodAvailable, isPodReady, podReadyCondition } from '../workload-kit.js';
import { generation, minReadySeconds, replicaSetSpec, replicaSetStatus, type ReplicaSetCondition, type ReplicaSetStatus } from './types.js';

export const REPLICA_FAILURE = 'ReplicaFailure';

/** What went wrong managing replicas in this sync: FailedCreate or FailedDelete with the API error's text. */
export interface ManageFailure {
  reason: 'FailedCreate' | 'FailedDelete';
  message: string;
}

export interface ComputedReplicaSetStatus {
  status: ReplicaSetStatus;
  /** Milliseconds until a ready pod becomes available (minReadySeconds), when one is waiting. */
  recheckInMs?: number;
}

function hasAllLabels(pod: KubeObject, labels: Record<string, string>): boolean {
  const have = pod.metadata.labels ?? {};
  return Object.entries(labels).every(([k, v]) => have[k] === v);
}

export function calculateReplicaSetStatus(rs: KubeObject, activePods: KubeObject[], failure: ManageFailure | undefined, now: string, nowMs: number): ComputedReplicaSetStatus {
  const templateLabels = replicaSetSpec(rs).template?.metadata?.labels ?? {};
  const minReady = minReadySeconds(rs);
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  let recheckInMs: number | undefined;
  for (const pod of activePods) {
    if (hasAllLabels(pod, templateLabels)) fullyLabeled++;
    if (!isPodReady(pod)) continue;
    ready++;
    if (isPodAvailable(pod, minReady, nowMs)) {
      available++;
      continue;
    }
    const since = Date.parse(podReadyCondition(pod)?.lastTransitionTime ?? '');
    if (Number.isNaN(since)) continue;
    const wait = since + minReady * 1000 - nowMs;
    recheckInMs = recheckInMs === undefined ? wait : Math.min(recheckInMs, wait);
  }
  const current = replicaSetStatus(rs);
  let conditions: ReplicaSetCondition[] = (current.conditions ?? []).map((c) => ({ ...c }));
  const existing = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (failure && !existing) {
    conditions.push({ type: REPLICA_FAILURE, status: 'True', lastTransitionTime: now, reason: failure.reason, message: failure.message });
  } else if (!failure && existing) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  // `replicas` is always on the wire; the other counts are omitempty in Kubernetes.
  const status: ReplicaSetStatus = { replicas: activePods.length };
  if (fullyLabeled) status.fullyLabeledReplicas = fullyLabeled;
  if (ready) status.readyReplicas = ready;
  if (available) status.availableReplicas = available;
  status.observedGeneration = generation(rs);
  if (conditions.length > 0) status.conditions = conditions;
  return recheckInMs === undefined ? { status } : { status, recheckInMs: Math.max(0, recheckInMs) };
}

/** Whether writing `next` would change anything (updateReplicaSetStatus skips equal statuses). */
export function replicaSetStatusChanged(rs: KubeObject, next: ReplicaSetStatus): boolean {
  const cur = replicaSetStatus(rs);
  return (
    (cur.replicas ?? 0) !== (next.replicas ?? 0) ||
    (cur.fullyLabeledReplicas ?? 0) !== (next.fullyLabeledReplicas ?? 0) ||
    (cur.readyReplicas ?? 0) !== (next.readyReplicas ?? 0) ||
    (cur.availableReplicas ?? 0) !== (next.availableReplicas ?? 0) ||
    (cur.observedGeneration ?? 0) !== (next.observedGeneration ?? 0) ||
    JSON.stringify(cur.conditions ?? []) !== JSON.stringify(next.conditions ?? [])
  );
}
