/**
 * Revision bookkeeping on ReplicaSets, as the deployment controller keeps it and as `kubectl rollout
 * history` / `undo` read it: `deployment.kubernetes.io/revision` (the new ReplicaSet gets max+1, an
 * old one that becomes current again is renumbered and its old numbers kept in
 * `revision-history`), the desired/max replicas annotations proportional scaling relies on, the
 * Deployment's own annotations (change-cause among them) copied onto its new ReplicaSet, and
 * which old ReplicaSets `revisionHistoryLimit` lets go.
 */
import type { KubeObject } from '../../objects.js';
import {
  byCreation,
  DESIRED_REPLICAS_ANNOTATION,
  deploymentSpec,
  generation,
  MAX_REPLICAS_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  replicaSetStatus,
  specReplicas,
  statusReplicas,
} from './types.js';

/** The longest revision-history annotation Kubernetes keeps (older numbers are dropped first). */
export const MAX_REVISION_HISTORY_CHARS = 2000;

/** Annotations of a Deployment that are not copied to its ReplicaSets (deploymentutil.annotationsToSkip). */
const ANNOTATIONS_NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

/** The revision number of a ReplicaSet; 0 when absent or not a number (as MaxRevision treats it). */
export function revisionOf(rs: KubeObject): number {
  const v = rs.metadata.annotations?.[REVISION_ANNOTATION];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 0;
}

export function maxRevision(rss: KubeObject[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

function annotationsOf(obj: KubeObject): Record<string, string> {
  if (!obj.metadata.annotations) obj.metadata.annotations = {};
  return obj.metadata.annotations;
}

/** Copies the Deployment's annotations (change-cause included) onto the ReplicaSet; true when something changed. */
export function copyDeploymentAnnotations(d: KubeObject, rs: KubeObject): boolean {
  const target = annotationsOf(rs);
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_NOT_COPIED.has(k) || target[k] === v) continue;
    target[k] = v;
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: KubeObject, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

export function setReplicasAnnotations(rs: KubeObject, desired: number, max: number): boolean {
  if (!replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
  const a = annotationsOf(rs);
  a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
  a[MAX_REPLICAS_ANNOTATION] = String(max);
  return true;
}

/** Appends `old` to a revision-history list, dropping the oldest entries beyond the length limit. */
export function appendRevisionHistory(history: string | undefined, old: string, limitChars = MAX_REVISION_HISTORY_CHARS): string | undefined {
  if (!history) return old;
  const entries = history.split(',');
  let total = history.length + old.length + 1;
  let start = 0;
  while (total > limitChars && start < entries.length) {
    total -= entries[start].length + 1;
    start++;
  }
  if (total > limitChars) return history;
  return [...entries.slice(start), old].join(',');
}

/**
 * deploymentutil.SetNewReplicaSetAnnotations on a mutable copy of the new ReplicaSet: Deployment
 * annotations copied, revision raised to `newRevision` when it is lower (the old number moving to
 * the revision history: this is how `rollout undo` shows up), and for a ReplicaSet about to be
 * created the replicas annotations. Returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(d: KubeObject, rs: KubeObject, newRevision: number, exists: boolean, surge: number): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const a = annotationsOf(rs);
  const oldRevision = a[REVISION_ANNOTATION];
  // A non-numeric revision someone wrote is left alone, as Kubernetes does.
  if (oldRevision !== undefined && oldRevision !== '' && !/^\d+$/.test(oldRevision)) return changed;
  const oldNumber = oldRevision ? Number(oldRevision) : 0;
  if (oldNumber < newRevision) {
    a[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldRevision) {
      const history = appendRevisionHistory(a[REVISION_HISTORY_ANNOTATION], oldRevision);
      if (history !== undefined) a[REVISION_HISTORY_ANNOTATION] = history;
    }
  }
  if (!exists) {
    const replicas = specReplicas(d);
    if (setReplicasAnnotations(rs, replicas, replicas + surge)) changed = true;
  }
  return changed;
}

/**
 * cleanupDeployment: the old ReplicaSets beyond revisionHistoryLimit that may be deleted, lowest
 * revision first, skipping any that still have (or may still get) pods.
 */
export function replicaSetsBeyondHistoryLimit(d: KubeObject, oldRSs: KubeObject[]): KubeObject[] {
  const limit = deploymentSpec(d).revisionHistoryLimit;
  if (typeof limit !== 'number' || limit < 0) return [];
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const excess = alive.length - limit;
  if (excess <= 0) return [];
  const byRevision = [...alive].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  return byRevision
    .slice(0, excess)
    .filter((rs) => statusReplicas(rs) === 0 && specReplicas(rs) === 0 && generation(rs) <= (replicaSetStatus(rs).observedGeneration ?? 0));
}
