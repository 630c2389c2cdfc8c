/**
 * Which pods a ReplicaSet deletes first when it has too many (controller.ActivePodsWithRanks): the
 * ones whose loss hurts least. Unscheduled before scheduled, Pending before Unknown before Running,
 * not ready before ready, lower `controller.kubernetes.io/pod-deletion-cost` first, ready for a
 * shorter time first, more container restarts first, newer first.
 *
 * Kubernetes also ranks pods "doubled up" on a node with other pods of the same owner first; on
 * this one-node cluster every scheduled pod shares the node, so that rank never separates two pods
 * and is left out. Ready and creation times compare exactly (Kubernetes' LogarithmicScaleDown
 * buckets them by powers of two, which only matters for large, long-lived fleets).
 */
import type { KubeObject } from '../../objects.js';
import { isPodReady, podPhase, podReadyCondition } from '../workload-kit.js';

export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function nodeNameOf(pod: KubeObject): string {
  return (pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '';
}

/** The annotation as an int32; anything unparsable counts as 0 (validation rejects it on write). */
export function deletionCost(pod: KubeObject): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

function maxRestarts(pod: KubeObject): number {
  const status = pod.status as { containerStatuses?: { restartCount?: number }[]; initContainerStatuses?: { restartCount?: number }[] } | undefined;
  let max = 0;
  for (const c of [...(status?.containerStatuses ?? []), ...(status?.initContainerStatuses ?? [])]) {
    if (typeof c.restartCount === 'number' && c.restartCount > max) max = c.restartCount;
  }
  return max;
}

/** A timestamp in ms; 0 (Go's zero time) when absent. */
function timeOf(ts: string | undefined): number {
  const t = ts ? Date.parse(ts) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/** afterOrZero: a zero time sorts first, otherwise the later time does. Negative when `a` goes first. */
function laterFirst(a: number, b: number): number {
  if (a === b) return 0;
  if (a === 0 || b === 0) return a === 0 ? -1 : 1;
  return a > b ? -1 : 1;
}

/** Negative when `a` should be deleted before `b`. */
export function compareForDeletion(a: KubeObject, b: KubeObject): number {
  const na = nodeNameOf(a);
  const nb = nodeNameOf(b);
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const pa = PHASE_ORDER[podPhase(a) ?? ''] ?? 0;
  const pb = PHASE_ORDER[podPhase(b) ?? ''] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a);
  const rb = isPodReady(b);
  if (ra !== rb) return ra ? 1 : -1;
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return ca - cb;
  if (ra && rb) {
    const byReady = laterFirst(timeOf(podReadyCondition(a)?.lastTransitionTime), timeOf(podReadyCondition(b)?.lastTransitionTime));
    if (byReady !== 0) return byReady;
  }
  const restarts = maxRestarts(b) - maxRestarts(a);
  if (restarts !== 0) return restarts;
  return laterFirst(timeOf(a.metadata.creationTimestamp), timeOf(b.metadata.creationTimestamp));
}

/** The `count` pods to delete first (getPodsToDelete); all of them without sorting when count covers all. */
export function podsToDelete(pods: KubeObject[], count: number): KubeObject[] {
  if (count >= pods.length) return [...pods];
  return [...pods].sort(compareForDeletion).slice(0, count);
}
